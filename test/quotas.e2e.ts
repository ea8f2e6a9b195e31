import { spawnSync } from 'child_process';
import * as path from 'path';
import { io, type Socket } from 'socket.io-client';
import { Tributary } from '@tributary/client';
import { encodeProduceEntries, encodeRecordBatch, Events, type ProduceResponse } from '@tributary/protocol';
import { TestCluster } from './support/test-cluster';
import { sleep } from './support/free-port';

/**
 * Kafka-style quotas on a real broker: a producer over its byte rate (an override stored in
 * Redis through Admin.alterClientQuotas) is slowed to that rate by throttle times, never
 * disconnected or refused; a client that does not throttle itself gets its answer held back
 * instead; connections beyond MAX_CONNECTION_CREATION_RATE per second from one IP are refused
 * at the handshake.
 */
jest.setTimeout(90_000);

const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
const RATE = 100 * 1024; // bytes per second
const MEASURE_MS = 10_000;
const CONNECTION_RATE = 10;

describe('client quotas and the connection creation rate', () => {
  let cluster: TestCluster;
  const clients: Tributary[] = [];
  const sockets: Socket[] = [];

  const client = (clientId: string) => {
    const c = new Tributary({ brokers: [cluster.brokers[0].url], clientId });
    clients.push(c);
    return c;
  };

  const rawConnect = (clientId: string) =>
    new Promise<Socket>((resolve, reject) => {
      const s = io(cluster.brokers[0].url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5000, auth: { clientId } });
      sockets.push(s);
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1, brokerEnv: { MAX_CONNECTION_CREATION_RATE: String(CONNECTION_RATE) } });
    const admin = client('admin').admin();
    await admin.createTopics({ topics: [{ topic: 'metered', numPartitions: 1, replicationFactor: 1 }] });
    await admin.alterClientQuotas([{ entity: { clientId: 'slow-producer' }, values: { producerByteRate: RATE } }]);
    await admin.alterClientQuotas([{ entity: { clientId: 'old-client' }, values: { producerByteRate: RATE } }]);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const c of clients) await c.disconnect().catch(() => undefined);
    await cluster?.stop();
  });

  it('stores quota overrides and shows a connection the quotas that apply to it', async () => {
    const admin = client('slow-producer').admin();
    expect(await admin.describeClientQuotas({ clientId: 'slow-producer' })).toEqual([
      { entity: { clientId: 'slow-producer' }, values: { producerByteRate: RATE } },
    ]);
    expect((await admin.describeConnection()).quotas).toEqual({ producerByteRate: RATE });
  });

  it('tributary quotas set|list change and show overrides', () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'quotas', ...args, '--brokers', cluster.brokers[0].url], { encoding: 'utf8', timeout: 30_000 });
    const set = cli('set', '--principal', 'User:bob', '--client-id', 'reports', '--consumer-byte-rate', '2048', '--request-rate', '50');
    expect(set.stderr).toBe('');
    expect(set.stdout).toBe('quotas for principal User:bob, client-id reports updated\n');
    expect(cli('list', '--principal', 'bob', '--client-id', 'reports').stdout).toBe(
      'principal User:bob, client-id reports: consumerByteRate=2048 requestRate=50\n',
    );
    const removed = cli('set', '--principal', 'User:bob', '--client-id', 'reports', '--consumer-byte-rate', 'none');
    expect(removed.stderr).toBe('');
    expect(cli('list', '--principal', 'User:bob', '--client-id', 'reports').stdout).toBe('principal User:bob, client-id reports: requestRate=50\n');
    expect(cli('list').stdout).toContain('client-id slow-producer: producerByteRate=102400');
  });

  it('slows a producer above its byte rate to that rate (over ten seconds, within 20%), without disconnecting it', async () => {
    const producer = client('slow-producer').producer({ acks: 1, lingerMs: 0 });
    const value = Buffer.alloc(8 * 1024, 7);
    let acked = 0;
    const started = performance.now();
    // four senders in parallel, each as fast as its answers come: about ten times the quota unthrottled
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (performance.now() - started < MEASURE_MS) {
          await producer.send({ topic: 'metered', messages: [{ value }, { value }] });
          acked += 2 * value.length;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const rate = acked / seconds;
    console.log(
      `producer at a ${RATE} B/s quota: ${acked} value bytes acknowledged in ${seconds.toFixed(2)} s = ${Math.round(rate)} B/s (${((rate / RATE) * 100).toFixed(1)}% of the quota)`,
    );
    expect(rate).toBeGreaterThan(RATE * 0.8);
    expect(rate).toBeLessThan(RATE * 1.2);
    await producer.disconnect(); // still connected: nothing was refused
  });

  it('holds the answer back for a client that does not throttle itself, and tells it how long', async () => {
    const s = await rawConnect('old-client');
    const batch = encodeRecordBatch([{ key: null, value: Buffer.alloc(3 * RATE, 1), timestamp: Date.now() }]);
    const produce = (): Promise<{ res: ProduceResponse; ms: number }> =>
      new Promise((resolve, reject) => {
        const t0 = performance.now();
        s.timeout(30_000).emit(
          Events.produce,
          { acks: 1, timeoutMs: 10_000, data: encodeProduceEntries([{ topic: 'metered', partition: 0, batches: batch }]) },
          (err: Error | null, res: ProduceResponse) => (err ? reject(err) : resolve({ res, ms: performance.now() - t0 })),
        );
      });
    const first = await produce(); // three seconds' worth at once: about two seconds of throttle
    console.log(`old client: throttleTimeMs ${first.res.throttleTimeMs}, answered after ${Math.round(first.ms)} ms`);
    expect(first.res.errorCode).toBe(0);
    expect(first.res.throttleTimeMs).toBeGreaterThan(1000);
    expect(first.ms).toBeGreaterThanOrEqual((first.res.throttleTimeMs ?? 0) - 50);
    expect(s.connected).toBe(true);
  });

  it(`refuses connections beyond ${CONNECTION_RATE} per second from one IP at the handshake, and accepts again a second later`, async () => {
    await sleep(1100);
    const attempts = await Promise.allSettled(Array.from({ length: 3 * CONNECTION_RATE }, (_, i) => rawConnect(`burst-${i}`)));
    const accepted = attempts.filter((a) => a.status === 'fulfilled').length;
    console.log(`connection burst: ${accepted} of ${attempts.length} accepted at MAX_CONNECTION_CREATION_RATE=${CONNECTION_RATE}`);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(CONNECTION_RATE);
    await sleep(1100);
    await expect(rawConnect('after-burst')).resolves.toBeDefined();
  });
});
