import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { Tributary, type ConsumedMessage } from '@tributary/client';
import { BrokerProcess } from './support/broker-process';
import { TestCa, type CertFiles } from './support/certificates';
import { freePort, waitFor } from './support/free-port';
import { RedisServer } from './support/redis-server';

/**
 * TLS end to end, with certificates made here by the openssl CLI: two brokers serving wss://
 * with TLS_CLIENT_AUTH=required, reaching a Redis over TLS as an ACL user (rediss://user:pass@),
 * and the SDK producing and consuming over wss:// with a client certificate whose CN becomes
 * the connection's principal (AUTH=scram is on: the certificate alone authenticates, and the
 * principal's ACLs apply). A client without a certificate is refused; a certificate
 * replaced on disk is served to new connections without a restart.
 */
jest.setTimeout(90_000);

const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
const REDIS_USER = 'tributary';
const REDIS_PASSWORD = 'redis-acl-password-for-tests';

describe('TLS: wss://, mTLS principal, certificate reload, Redis over TLS with an ACL user', () => {
  let dir: string;
  let ca: TestCa;
  let alice: CertFiles;
  /** CN=admin: a super user (SUPER_USERS) by its certificate alone */
  let admin: CertFiles;
  let redis: RedisServer;
  let redisTlsPort: number;
  const brokers: BrokerProcess[] = [];
  const clients: Tributary[] = [];
  /** broker 1's own copies of the server certificate, which the reload test replaces */
  let served: CertFiles;

  const pem = (file: string) => fs.readFileSync(file, 'utf8');
  const client = (options: { cert?: boolean; brokers?: string[]; as?: CertFiles } = {}) => {
    const who = options.as ?? admin;
    const c = new Tributary({
      brokers: options.brokers ?? [brokers[0].url],
      clientId: 'tls-test',
      connectionTimeoutMs: 5000,
      retry: { retries: 0 },
      tls: { ca: pem(ca.cert), ...(options.cert === false ? {} : { cert: pem(who.cert), key: pem(who.key) }) },
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-tls-'));
    ca = new TestCa(dir);
    const server = ca.issue('server', 'broker', 'server', 100);
    alice = ca.issue('alice', 'alice', 'client');
    admin = ca.issue('admin', 'admin', 'client');
    served = { cert: path.join(dir, 'served.pem'), key: path.join(dir, 'served-key.pem') };
    fs.copyFileSync(server.cert, served.cert);
    fs.copyFileSync(server.key, served.key);

    // Redis speaks TLS on its TLS port, and its default user may only PING (the start-up probe, on the plain loopback port).
    const tlsPort = (redisTlsPort = await freePort());
    redis = await RedisServer.start({
      extraArgs: [
        ...[
          '--tls-port',
          String(tlsPort),
          '--tls-cert-file',
          server.cert,
          '--tls-key-file',
          server.key,
          '--tls-ca-cert-file',
          ca.cert,
          '--tls-auth-clients',
          'no',
        ],
        ...['--user', 'default', 'on', 'nopass', '-@all', '+ping', '+info'],
        ...['--user', REDIS_USER, 'on', `>${REDIS_PASSWORD}`, '~*', '&*', '+@all'],
      ],
    });
    const redisUrl = `rediss://${REDIS_USER}:${REDIS_PASSWORD}@127.0.0.1:${tlsPort}`;
    const clusterId = `tls-${process.pid}-${Date.now()}`;
    const probeTls = { ca: pem(ca.cert), cert: pem(alice.cert), key: pem(alice.key) };
    for (const id of [1, 2]) {
      brokers.push(
        new BrokerProcess({
          id,
          port: await freePort(),
          redisUrl,
          dataDir: path.join(dir, `broker-${id}`),
          clusterId,
          tls: probeTls,
          env: {
            TLS_CERT_PATH: id === 1 ? served.cert : server.cert,
            TLS_KEY_PATH: id === 1 ? served.key : server.key,
            TLS_CA_PATH: ca.cert,
            TLS_CLIENT_AUTH: 'required',
            // the certificate is the authentication: ACLs apply to its CN, and admin's is a super user's
            AUTH: 'scram',
            SUPER_USERS: 'User:admin',
            REDIS_TLS_CA_PATH: ca.cert,
          },
        }),
      );
    }
    await Promise.all(brokers.map((b) => b.start()));
  });

  afterAll(async () => {
    for (const c of clients) await c.disconnect().catch(() => undefined);
    await Promise.all(brokers.map((b) => b.stop()));
    await redis?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('produces and consumes over wss:// with a client certificate; brokers advertise wss:// and reach Redis over TLS as an ACL user', async () => {
    const c = client();
    const admin = c.admin();
    await waitFor('both brokers registered', async () => (await admin.describeCluster()).brokers.length === 2);
    const { brokers: listed } = await admin.describeCluster();
    expect(listed.map((b) => b.url).every((u) => u.startsWith('wss://'))).toBe(true);
    const topic = 'secure-orders';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 2 }] });
    const producer = c.producer({ acks: 'all' });
    await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
    // Each follower caught up from its leader over a wss:// inter-broker link (presenting its own
    // certificate, as TLS_CLIENT_AUTH=required demands) before joining the stream: both stay in sync.
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0].partitions.map((p) => [...p.isr].sort())).toEqual([
      [1, 2],
      [1, 2],
    ]);
    for (const b of brokers) expect(b.output).not.toMatch(/handshake|refused|certificate|self.signed/i);

    const consumer = c.consumer();
    consumer.assign([
      { topic, partition: 0, offset: 0 },
      { topic, partition: 1, offset: 0 },
    ]);
    const seen: ConsumedMessage[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    await waitFor('20 records consumed over wss://', () => seen.length >= 20, 20_000);
    await consumer.disconnect();
    expect(new Set(seen.map((m) => m.value?.toString()))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `v${i}`)));
  });

  it('maps the client certificate to the principal User:<CN> (mTLS), whose ACLs then apply', async () => {
    const who = await client({ as: alice }).admin().describeConnection();
    console.log(`describeConnection over mTLS: ${JSON.stringify(who)}`);
    expect(who.principal).toBe('User:alice');
    expect(who.clientId).toBe('tls-test');
    expect(who.certificate?.subject).toContain('CN=alice');
    // AUTH=scram, yet no SASL needed: the verified certificate authenticated the connection
    await expect(
      client({ as: alice })
        .admin()
        .alterClientQuotas([{ entity: { clientId: 'x' }, values: { requestRate: 5 } }]),
    ).rejects.toMatchObject({
      type: 'CLUSTER_AUTHORIZATION_FAILED',
    });
    await client({ as: admin })
      .admin()
      .alterClientQuotas([{ entity: { clientId: 'x' }, values: { requestRate: 5 } }]);
    expect(await client({ as: alice }).admin().listTopics()).toEqual([]); // describes nothing without an ACL
  });

  it('SCRAM on top of a client certificate names the user, as on a SASL_SSL listener', async () => {
    const password = 'bob-password-over-mtls';
    await client({ as: admin }).admin().createUser({ name: 'bob', password });
    const c = new Tributary({
      brokers: [brokers[0].url],
      clientId: 'tls-test',
      connectionTimeoutMs: 5000,
      retry: { retries: 0 },
      tls: { ca: pem(ca.cert), cert: pem(alice.cert), key: pem(alice.key) },
      auth: { mechanism: 'scram-sha-256', username: 'bob', password },
    });
    clients.push(c);
    const who = await c.admin().describeConnection();
    expect(who.principal).toBe('User:bob');
    expect(who.certificate?.subject).toContain('CN=alice');
  });

  it('refuses a client without a certificate, and one speaking plain ws://', async () => {
    await expect(client({ cert: false }).admin().describeCluster()).rejects.toThrow(/cannot connect|timed out|disconnected/);
    const plain = brokers[0].url.replace('wss://', 'ws://');
    await expect(
      client({ brokers: [plain] })
        .admin()
        .describeCluster(),
    ).rejects.toThrow(/cannot connect|timed out|disconnected/);
  });

  it('the CLI connects over wss:// with --tls-ca, --tls-cert and --tls-key (or their env variables)', () => {
    const flags = ['--brokers', brokers[1].url, '--tls-ca', ca.cert, '--tls-cert', admin.cert, '--tls-key', admin.key];
    const listed = spawnSync(process.execPath, [CLI, 'topics', 'list', ...flags], { encoding: 'utf8', timeout: 30_000 });
    expect(listed.stderr).toBe('');
    expect(listed.stdout.split('\n')).toContain('secure-orders');
    const env = { ...process.env, TRIBUTARY_BROKERS: brokers[1].url, TRIBUTARY_TLS_CA: ca.cert, TRIBUTARY_TLS_CERT: admin.cert, TRIBUTARY_TLS_KEY: admin.key };
    expect(spawnSync(process.execPath, [CLI, 'topics', 'list'], { encoding: 'utf8', timeout: 30_000, env }).stdout.split('\n')).toContain('secure-orders');
    const noCert = spawnSync(process.execPath, [CLI, 'topics', 'list', '--brokers', brokers[1].url, '--tls-ca', ca.cert], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    // refused at the TLS handshake, no broker is reachable: NETWORK_EXCEPTION, exit code 4 (see --help)
    expect(noCert.status).toBe(4);
    expect(noCert.stderr).toMatch(/^error: /);
  });

  it("a broker whose Redis password is wrong, or that does not trust Redis's certificate, exits naming the cause", async () => {
    const attempt = async (id: number, env: Record<string, string>) => {
      let how = '';
      const b = new BrokerProcess({
        id,
        port: await freePort(),
        redisUrl: `rediss://${REDIS_USER}:wrong-password@127.0.0.1:${redisTlsPort}`,
        dataDir: path.join(dir, `refused-${id}`),
        clusterId: 'refused',
        env,
        onExit: (h) => (how = h),
      });
      b.spawn();
      await b.process.whenExited();
      return { how, output: b.output };
    };
    const [wrongPassword, untrusted] = await Promise.all([
      attempt(11, { REDIS_TLS_CA_PATH: ca.cert }),
      attempt(12, { REDIS_URL: `rediss://${REDIS_USER}:${REDIS_PASSWORD}@127.0.0.1:${redisTlsPort}` }),
    ]);
    expect(wrongPassword.how).toBe('code 1');
    expect(wrongPassword.output).toContain(`cannot use the coordination Redis at rediss://${REDIS_USER}:***@127.0.0.1:${redisTlsPort}: WRONGPASS`);
    expect(wrongPassword.output).not.toContain('wrong-password');
    expect(untrusted.how).toBe('code 1');
    expect(untrusted.output).toMatch(/cannot use the coordination Redis at .*: .*certificate.*REDIS_TLS_CA_PATH/);
  });

  it('serves a certificate replaced on disk to new connections, without a restart', async () => {
    const port = brokers[0].options.port;
    const serialSeen = () =>
      new Promise<string>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port, ca: pem(ca.cert), cert: pem(alice.cert), key: pem(alice.key) }, () => {
          const serial = s.getPeerCertificate().serialNumber;
          s.destroy();
          resolve(serial);
        });
        s.on('error', reject);
      });
    expect(parseInt(await serialSeen(), 16)).toBe(100);
    const renewed = ca.issue('renewed', 'broker', 'server', 200);
    // key first, then the certificate: in between the pair does not match, and the broker keeps the old one
    fs.copyFileSync(renewed.key, served.key);
    fs.copyFileSync(renewed.cert, served.cert);
    const started = performance.now();
    await waitFor('the renewed certificate (serial 200) served', async () => parseInt(await serialSeen(), 16) === 200, 15_000, 200);
    console.log(`renewed certificate served after ${Math.round(performance.now() - started)} ms`);
    // and the broker still serves the SDK over the new certificate
    expect((await client().admin().describeConnection()).principal).toBe('User:admin');
  });
});
