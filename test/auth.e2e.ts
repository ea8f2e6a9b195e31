import { spawnSync } from 'child_process';
import { createHmac } from 'crypto';
import * as path from 'path';
import { AuthenticationError, ErrorCode, LogLevel, Tributary, type ClientAuth } from '@tributary/client';
import { scramSocket } from './support/auth-socket';
import { sleep, waitFor } from './support/free-port';
import { RawSocket } from './support/raw-socket';
import { TestCluster } from './support/test-cluster';

/**
 * Issue 15 (authentication, ACLs, group safety) against two real brokers with AUTH=scram: users
 * are SCRAM credentials in the cluster's Redis, ACLs are checked on every request, and a change
 * made through one broker reaches a client connected to the other within seconds.
 */
jest.setTimeout(120_000);

const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
const ADMIN = { user: 'admin', password: 'admin-secret-1' };
const ALICE = { user: 'alice', password: 'alice-secret-1' };
const BOB = { user: 'bob', password: 'bob-secret-1' };
const MAX_SESSION_MS = 20_000;
const TOKEN_SECRET = 'auth-e2e-token-secret-of-32-characters-or-more';

/** An HS256 JWT as an app's backend would issue it. */
function token(claims: Record<string, unknown>, secret = TOKEN_SECRET): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

const scram = (u: { user: string; password: string }): ClientAuth => ({ mechanism: 'scram-sha-256', username: u.user, password: u.password });

describe('authentication and ACLs (AUTH=scram)', () => {
  let cluster: TestCluster;
  let urls: string[];
  const clients: Tributary[] = [];
  const sockets: RawSocket[] = [];

  const client = (auth?: ClientAuth, brokers = urls): Tributary => {
    const c = new Tributary({
      brokers,
      logLevel: LogLevel.NOTHING,
      ...(auth ? { auth } : {}),
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 500 },
    });
    clients.push(c);
    return c;
  };
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const asAdmin = { TRIBUTARY_USER: ADMIN.user, TRIBUTARY_PASSWORD: ADMIN.password };
  let admin: ReturnType<Tributary['admin']>;

  /** the high watermark of partition 0, read as admin */
  const endOf = async (topic: string): Promise<number> => Number((await admin.fetchTopicOffsets(topic))[0].high);
  const brokerOutput = (): string => cluster.brokers.map((b) => b.output).join('\n');

  beforeAll(async () => {
    cluster = await TestCluster.start({
      brokers: 2,
      brokerEnv: {
        AUTH: 'scram,token',
        TOKEN_SECRET,
        SUPER_USERS: 'User:admin',
        GROUP_MAX_SESSION_TIMEOUT_MS: String(MAX_SESSION_MS),
        METADATA_REFRESH_MS: '1000',
      },
    });
    urls = cluster.brokers.map((b) => b.url);
    // The first super user cannot log in to create itself: it is written to Redis directly (salted by the CLI).
    const boot = cli(['users', 'create', ADMIN.user, '--redis', cluster.redis.url, '--cluster-id', cluster.keys.cluster], {
      TRIBUTARY_NEW_PASSWORD: ADMIN.password,
    });
    expect(boot).toMatchObject({ code: 0 });
    admin = client(scram(ADMIN)).admin();
    await admin.createUser({ name: ALICE.user, password: ALICE.password });
    await admin.createUser({ name: BOB.user, password: BOB.password });
    await admin.createTopics({
      topics: ['orders', 'shared', 'groups-topic'].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
    });
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all(clients.map((c) => c.disconnect().catch(() => undefined)));
    await cluster?.stop();
  });

  it('refuses a client without credentials, and one with a wrong password, before anything is written', async () => {
    const anonymous = client().producer();
    await expect(anonymous.send({ topic: 'orders', messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: ErrorCode.SASL_AUTHENTICATION_FAILED });
    // a bare socket that skips authentication gets the same answer to a produce, and nothing lands
    const raw = await RawSocket.connect(urls[0]);
    sockets.push(raw);
    expect(await raw.request('metadata', {})).toMatchObject({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED });
    const wrong = client(scram({ user: ALICE.user, password: 'not-her-password' })).producer();
    const err = await wrong.send({ topic: 'orders', messages: [{ value: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ code: ErrorCode.SASL_AUTHENTICATION_FAILED, retriable: false });
    expect(await endOf('orders')).toBe(0);
    // audited: one JSON line per failure, naming the user, never the password
    await waitFor('an audit line for the failed login', () => /"audit":true[^\n]*"event":"authentication-failed"[^\n]*"user":"alice"/.test(brokerOutput()));
    expect(brokerOutput()).not.toContain('not-her-password');
  });

  it('refuses a user lacking the ACL (nothing written or read), and lets it produce and consume once granted', async () => {
    const alice = client(scram(ALICE));
    const producer = alice.producer();
    await expect(producer.send({ topic: 'orders', messages: [{ value: 'denied' }] })).rejects.toMatchObject({ code: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
    expect(await endOf('orders')).toBe(0);
    // a fetch is refused as a whole: no partition, no record bytes
    const raw = await scramSocket(urls[0], ALICE.user, ALICE.password);
    sockets.push(raw);
    const fetched = await raw.request<{ errorCode: number; partitions: unknown[]; records: Uint8Array }>('fetch', {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      partitions: [{ topic: 'orders', partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }],
    });
    expect(fetched).toMatchObject({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partitions: [] });
    expect(fetched.records.byteLength).toBe(0);
    // metadata shows only what she may describe
    const aliceAdmin = alice.admin();
    expect(await aliceAdmin.listTopics()).toEqual([]);
    // creating topics needs create on the cluster or the topic; users and ACLs need the cluster
    await expect(aliceAdmin.createTopics({ topics: [{ topic: 'alice-own', numPartitions: 1, replicationFactor: 1 }] })).rejects.toMatchObject({
      code: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    });
    await expect(aliceAdmin.listUsers()).rejects.toMatchObject({ code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
    await expect(aliceAdmin.createAcls([{ principal: 'User:alice', resourceType: 'topic', resourceName: '*', operation: 'all' }])).rejects.toMatchObject({
      code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    });
    expect(await admin.listTopics()).not.toContain('alice-own');

    await admin.createAcls([
      { principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', operation: 'write' },
      { principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', operation: 'read' },
      { principal: 'User:alice', resourceType: 'group', resourceName: 'alice-', patternType: 'prefixed', operation: 'read' },
    ]);
    const granted = client(scram(ALICE));
    const p = granted.producer({ acks: 'all' });
    await waitFor(
      'alice may write orders',
      () =>
        p.send({ topic: 'orders', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] }).then(
          () => true,
          () => false,
        ),
      10_000,
    );
    expect(await granted.admin().listTopics()).toEqual(['orders']);
    const received: string[] = [];
    const c = granted.consumer({ groupId: 'alice-orders', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
    await c.subscribe({ topics: ['orders'], fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) });
    await waitFor('alice consumed her records', () => received.length >= 3, 20_000);
    expect(received).toEqual(['a', 'b', 'c']);
    await c.disconnect();
    // bob, with no ACL on orders, reads none of them
    const bobRaw = await scramSocket(urls[0], BOB.user, BOB.password);
    sockets.push(bobRaw);
    const bobFetch = await bobRaw.request<{ errorCode: number; records: Uint8Array }>('fetch', {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      partitions: [{ topic: 'orders', partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }],
    });
    expect(bobFetch.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(bobFetch.records.byteLength).toBe(0);
  });

  it("a bearer token logs in as its sub (with that user's ACLs); an expired or forged one is refused", async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const viaToken = client({ mechanism: 'token', token: token({ sub: 'alice', exp }) }).producer();
    await viaToken.send({ topic: 'orders', messages: [{ value: 'by-token' }] });
    await expect(viaToken.send({ topic: 'shared', messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
    const expired = client({ mechanism: 'token', token: token({ sub: 'alice', exp: exp - 7200 }) }).producer();
    await expect(expired.send({ topic: 'orders', messages: [{ value: 'x' }] })).rejects.toBeInstanceOf(AuthenticationError);
    const forged = client({ mechanism: 'token', token: token({ sub: 'admin', exp }, 'a-different-secret-that-is-also-32-chars-long') }).producer();
    await expect(forged.send({ topic: 'orders', messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: ErrorCode.SASL_AUTHENTICATION_FAILED });
  });

  it('replication between brokers keeps working with AUTH on (acks=all on RF=2)', async () => {
    await admin.createTopics({ topics: [{ topic: 'replicated', numPartitions: 1, replicationFactor: 2 }] });
    const p = client(scram(ADMIN)).producer({ acks: 'all' });
    await p.send({ topic: 'replicated', messages: [{ value: 'r1' }, { value: 'r2' }] });
    expect(await endOf('replicated')).toBe(2);
  });

  it('a prefixed ACL covers a topic created later; revoking it stops a connected producer within seconds', async () => {
    await admin.createAcls([{ principal: 'User:bob', resourceType: 'topic', resourceName: 'team-b.', patternType: 'prefixed', operation: 'all' }]);
    await admin.createTopics({ topics: [{ topic: 'team-b.events', numPartitions: 1, replicationFactor: 1 }] });
    const bob = client(scram(BOB)).producer({ acks: 1 });
    await waitFor(
      'bob may write team-b.events',
      () =>
        bob.send({ topic: 'team-b.events', messages: [{ value: 'first' }] }).then(
          () => true,
          () => false,
        ),
      10_000,
    );

    // revoke through the broker that does not lead the partition: the change travels by the change feed
    const other = client(scram(ADMIN), [urls[1]]).admin();
    const revokedAt = Date.now();
    const deleted = await other.deleteAcls([{ principal: 'User:bob', resourceName: 'team-b.' }]);
    expect(deleted).toHaveLength(1);
    let refused: unknown = null;
    while (refused === null && Date.now() - revokedAt < 30_000) {
      await bob.send({ topic: 'team-b.events', messages: [{ value: 'during' }] }).catch((e: unknown) => (refused = e));
      await sleep(50);
    }
    const tookMs = Date.now() - revokedAt;
    console.log(`revoked ACL took effect on the connected producer after ${tookMs} ms`);
    expect(refused).toMatchObject({ code: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
    expect(tookMs).toBeLessThan(10_000);
    await waitFor('an audit line for the denial', () => /"audit":true[^\n]*"event":"authorization-denied"[^\n]*"principal":"User:bob"/.test(brokerOutput()));
  });

  it('admin requests need their ACL too: a user who may read and write a topic may not delete, reconfigure, grow, truncate or move it', async () => {
    const CAROL = { user: 'carol', password: 'carol-secret-1' };
    await admin.createUser({ name: CAROL.user, password: CAROL.password });
    await admin.createTopics({ topics: [{ topic: 'carols', numPartitions: 1, replicationFactor: 1 }] });
    await admin.createAcls([{ principal: 'User:carol', resourceType: 'topic', resourceName: 'carols', operation: 'read' }]);
    await admin.createAcls([{ principal: 'User:carol', resourceType: 'topic', resourceName: 'carols', operation: 'write' }]);
    const carol = client(scram(CAROL));
    await carol.producer().send({ topic: 'carols', messages: [{ value: 'kept' }] });
    const ca = carol.admin();
    const topicDenied = { code: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
    const clusterDenied = { code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };
    await expect(ca.deleteTopics({ topics: ['carols'] })).rejects.toMatchObject(topicDenied);
    await expect(ca.alterConfigs({ topics: [{ topic: 'carols', set: { 'retention.ms': '1000' } }] })).rejects.toMatchObject(topicDenied);
    await expect(ca.describeConfigs({ topics: ['carols'] })).rejects.toMatchObject(topicDenied);
    await expect(ca.createPartitions({ topicPartitions: [{ topic: 'carols', count: 3 }] })).rejects.toMatchObject(topicDenied);
    await expect(ca.deleteRecords({ topic: 'carols', partitions: [{ partition: 0, offset: -1 }] })).rejects.toMatchObject(topicDenied);
    await expect(
      ca.alterPartitionReassignments({ topics: [{ topic: 'carols', partitionAssignment: [{ partition: 0, replicas: [2] }] }] }),
    ).rejects.toMatchObject(clusterDenied);
    await expect(ca.electLeaders()).rejects.toMatchObject(clusterDenied);
    await expect(ca.decommissionBroker(2)).rejects.toMatchObject(clusterDenied);
    await expect(ca.listJobs()).rejects.toMatchObject(clusterDenied);
    // nothing changed: the topic, its one partition, its record and its default retention are all still there
    expect(await admin.listTopics()).toContain('carols');
    const offsets = await admin.fetchTopicOffsets('carols');
    expect(offsets.map((o) => [Number(o.low), Number(o.high)])).toEqual([[0, 1]]);
    const configs = (await admin.describeConfigs({ topics: ['carols'] })).topics[0].configs;
    expect(JSON.stringify(configs)).not.toContain('"1000"');
    expect((await admin.listPartitionReassignments()).topics).toEqual([]);
  });

  it('deny beats allow', async () => {
    await admin.createAcls([
      { principal: 'User:*', resourceType: 'topic', resourceName: 'shared', operation: 'all' },
      { principal: 'User:bob', resourceType: 'topic', resourceName: 'shared', operation: 'write', permission: 'deny' },
    ]);
    const alice = client(scram(ALICE)).producer();
    await waitFor(
      'alice may write shared',
      () =>
        alice.send({ topic: 'shared', messages: [{ value: 'ok' }] }).then(
          () => true,
          () => false,
        ),
      10_000,
    );
    const before = await endOf('shared');
    await expect(
      client(scram(BOB))
        .producer()
        .send({ topic: 'shared', messages: [{ value: 'no' }] }),
    ).rejects.toMatchObject({
      code: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    });
    expect(await endOf('shared')).toBe(before);
  });

  it("a user may not heartbeat, commit or leave as another user's member (nor another connection), and a session timeout above the maximum is refused", async () => {
    await admin.createAcls([
      { principal: 'User:*', resourceType: 'group', resourceName: 'shared-group', operation: 'read' },
      { principal: 'User:*', resourceType: 'topic', resourceName: 'groups-topic', operation: 'read' },
    ]);
    const { url: coordinator } = await admin
      .groups()
      .describeGroups(['shared-group'])
      .then(async () => {
        const s = await scramSocket(urls[0], ALICE.user, ALICE.password);
        sockets.push(s);
        return s.request<{ url: string }>('findCoordinator', { groupId: 'shared-group' });
      });
    const aliceSocket = await scramSocket(coordinator, ALICE.user, ALICE.password);
    const bobSocket = await scramSocket(coordinator, BOB.user, BOB.password);
    const aliceAgain = await scramSocket(coordinator, ALICE.user, ALICE.password);
    sockets.push(aliceSocket, bobSocket, aliceAgain);
    const join = { groupId: 'shared-group', memberId: '', clientId: 'alice', rebalanceTimeoutMs: 5000, topics: ['groups-topic'], assignors: ['range'] };
    expect(await aliceSocket.request('joinGroup', { ...join, sessionTimeoutMs: MAX_SESSION_MS + 1 })).toMatchObject({
      errorCode: ErrorCode.INVALID_SESSION_TIMEOUT,
    });
    const joined = await aliceSocket.request<{ errorCode: number; memberId: string; generationId: number }>('joinGroup', { ...join, sessionTimeoutMs: 10_000 });
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    const member = { groupId: 'shared-group', memberId: joined.memberId, generationId: joined.generationId };
    const commit = { ...member, offsets: [{ topic: 'groups-topic', partition: 0, offset: 0 }] };
    for (const intruder of [bobSocket, aliceAgain]) {
      expect(await intruder.request('heartbeat', member)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
      expect(await intruder.request('commitOffsets', commit)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
      expect(await intruder.request('leaveGroup', { groupId: 'shared-group', memberId: joined.memberId })).toMatchObject({
        errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
      });
    }
    // the member itself is untouched: still in the group, still the same generation
    expect(await aliceSocket.request('heartbeat', member)).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await aliceSocket.request('commitOffsets', commit)).toMatchObject({ errorCode: ErrorCode.NONE });
    const [described] = await admin.groups().describeGroups(['shared-group']);
    expect(described.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    expect(await aliceSocket.request('leaveGroup', { groupId: 'shared-group', memberId: joined.memberId })).toMatchObject({ errorCode: ErrorCode.NONE });
  });

  it('the CLI logs in with TRIBUTARY_USER/TRIBUTARY_PASSWORD, manages users and ACLs, and fails clearly without them', async () => {
    const brokers = ['--brokers', urls[0]];
    const denied = cli(['topics', 'list', ...brokers]);
    expect(denied.code).not.toBe(0);
    expect(denied.err).toMatch(/authenticate first/);
    const users = cli(['users', 'list', ...brokers], asAdmin);
    expect(users).toMatchObject({ code: 0 });
    expect(users.out).toMatch(/alice\s+SCRAM-SHA-256 \(8192\), SCRAM-SHA-512 \(8192\)/);
    const added = cli(['acls', 'add', '--principal', 'User:bob', '--operation', 'write,describe', '--topic', 'orders', ...brokers], asAdmin);
    expect(added).toMatchObject({ code: 0 });
    const listed = cli(['acls', 'list', '--principal', 'User:bob', ...brokers], asAdmin);
    expect(listed.out).toMatch(/User:bob\s+allow\s+write\s+topic\s+literal\s+orders/);
    const produced = cli(['produce', 'orders', ...brokers], { TRIBUTARY_USER: BOB.user, TRIBUTARY_PASSWORD: BOB.password }, 'from-cli\n');
    expect(produced).toMatchObject({ code: 0 });
    const wrong = cli(['topics', 'list', ...brokers], { TRIBUTARY_USER: BOB.user, TRIBUTARY_PASSWORD: 'wrong' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toMatch(/authentication .*failed/);
  });
});
