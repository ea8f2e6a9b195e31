import { spawnSync } from 'child_process';
import * as path from 'path';
import { LogLevel, RequestTimeoutError, Tributary, type RecordMetadata } from '@tributary/client';
import { freePort, waitFor } from './support/free-port';
import { leaderOf, readAll, waitForFullIsr } from './support/replication-helpers';
import { TestCluster } from './support/test-cluster';

const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');

/** Clients that behave at the edges: acks=0 flush on exit, bootstrap lists, request timeouts, retries: 0 (issue 8, item 4). */
jest.setTimeout(240_000);

function cli(args: string[], input?: string, timeoutMs = 60_000) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - started };
}

async function logSize(brokers: string[], topic: string): Promise<number> {
  const admin = new Tributary({ brokers, logLevel: LogLevel.NOTHING }).admin();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + p.high - p.low, 0);
  } finally {
    await admin.disconnect();
  }
}

describe('client behaviour against a real broker', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('`produce --acks 0` of 1,000 lines then exit leaves all 1,000 in the log', async () => {
    const url = cluster.broker(1).url;
    expect(cli(['topics', 'create', 'acks0', '--partitions', '2', '--brokers', url]).code).toBe(0);
    const lines = Array.from({ length: 1000 }, (_, i) => `line-${i}`).join('\n') + '\n';
    const produced = cli(['produce', 'acks0', '--acks', '0', '--brokers', url], lines);
    expect(produced.err).toContain('sent 1000 record(s)');
    expect(produced.code).toBe(0);
    // the CLI has exited, so nothing is in flight from it: the broker has every record, though
    // its appends may still be finishing (acks=0 waits for none), hence the bounded wait
    await waitFor('1,000 records in the log', async () => (await logSize([url], 'acks0')) === 1000, 10_000).catch(async (err: Error) => {
      throw new Error(`${err.message}; the log holds ${await logSize([url], 'acks0')}`);
    });
    // every line once, not 1,000 records of which some are repeats
    const client = new Tributary({ brokers: [url], logLevel: LogLevel.NOTHING });
    try {
      const values = [...(await readAll(client, 'acks0', 2)).values()].flatMap((m) => [...m.values()]);
      expect(values.sort()).toEqual(Array.from({ length: 1000 }, (_, i) => `line-${i}`).sort());
    } finally {
      await client.disconnect();
    }
  });

  it('a CLI call with a dead first broker and a live second one in --brokers succeeds at once; host:port works', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const live = cluster.broker(1).url;
    const created = cli(['topics', 'create', 'two-brokers', '--brokers', `ws://${dead},${live}`]);
    expect(created.out).toContain("created topic 'two-brokers'");
    expect(created.code).toBe(0);
    const listed = cli(['topics', 'list', '--brokers', `${dead},${live.replace('ws://', '')}`]);
    expect(listed.code).toBe(0);
    expect(listed.out.split('\n')).toContain('two-brokers');
    // a refused connection fails fast: no retry backoff, no connect timeout (10 s) spent on the
    // dead one; the figure includes starting node, so it is printed and only the timeout is bounded
    process.stdout.write(`CLI topics list with a dead first broker: ${listed.ms} ms\n`);
    expect(listed.ms).toBeLessThan(10_000);
  });

  it('a broker address with a wrong scheme fails at once with a message naming it', () => {
    const r = cli(['topics', 'list', '--brokers', 'http://127.0.0.1:9092']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "'http://127.0.0.1:9092' is not a broker address: scheme 'http://' is not supported; use host:port, ws://host:port or wss://host:port",
    );
  });

  it('an SDK request to a broker that never answers (SIGSTOPped) fails with RequestTimeoutError near requestTimeoutMs', async () => {
    const broker = cluster.broker(1);
    const admin = new Tributary({ brokers: [broker.url], requestTimeoutMs: 2000, logLevel: LogLevel.NOTHING }).admin();
    await admin.connect();
    await broker.kill('SIGSTOP');
    try {
      const started = Date.now();
      const err = (await admin
        .createTopics({ topics: [{ topic: 'never-answered', numPartitions: 1, replicationFactor: 1 }] })
        .catch((e: unknown) => e)) as RequestTimeoutError;
      const took = Date.now() - started;
      expect(err).toBeInstanceOf(RequestTimeoutError);
      expect(err.retriable).toBe(true);
      expect(err.message).toBe(`createTopics request to ${broker.url} timed out after 2000 ms`);
      process.stdout.write(`request to a SIGSTOPped broker failed after ${took} ms (requestTimeoutMs 2000)\n`);
      expect(took).toBeGreaterThanOrEqual(1900);
      expect(took).toBeLessThan(4000);
    } finally {
      await broker.kill('SIGCONT');
      await admin.disconnect();
    }
  });
});

describe('a retries: 0 producer across a leader change (RF=3)', () => {
  const FAST = { LEADER_LEASE_MS: '1000', REPLICA_LAG_TIME_MAX_MS: '3000', BROKER_SESSION_TIMEOUT_MS: '3000', METADATA_REFRESH_MS: '1000' };
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerEnv: FAST });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('after one failure, its next send goes to the new leader', async () => {
    const urls = cluster.brokers.map((b) => b.url);
    const client = new Tributary({ brokers: urls, requestTimeoutMs: 5000, logLevel: LogLevel.NOTHING });
    const admin = client.admin();
    const topic = 'no-retries';
    // a broker that is listening may not be registered yet, and RF=3 needs all three
    await waitFor('three live brokers', async () => (await admin.describeCluster()).brokers.length === 3, 30_000, 100);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await waitForFullIsr(admin, topic, 3);
    const producer = client.producer({ acks: 'all', lingerMs: 1, retry: { retries: 0 } });
    await producer.send({ topic, messages: [{ value: 'before' }] });

    const old = await leaderOf(admin, topic, 0);
    await cluster.broker(old).kill('SIGKILL');
    const survivors = new Tributary({ brokers: urls.filter((u) => u !== cluster.broker(old).url), logLevel: LogLevel.NOTHING }).admin();
    const next = await waitFor(
      'a new leader',
      async () => {
        const leader = await leaderOf(survivors, topic, 0).catch(() => -1);
        return leader > 0 && leader !== old ? leader : null;
      },
      30_000,
      100,
    );

    // the producer's metadata still names the dead leader: one send may fail on it, no more
    const attempts: Array<RecordMetadata[] | Error> = [];
    for (let i = 0; i < 2; i++) {
      const result = await producer.send({ topic, messages: [{ value: `after-${i}` }] }).catch((e: Error) => e);
      attempts.push(result);
      if (!(result instanceof Error)) break;
    }
    const last = attempts[attempts.length - 1];
    // a failure names its cause (RetriesExhaustedError wraps the last error), so a red run says why
    const describeAttempt = (a: RecordMetadata[] | Error) =>
      a instanceof Error ? `${a.message} (cause: ${String((a as Error & { cause?: unknown }).cause)})` : 'ok';
    expect(attempts.map(describeAttempt).at(-1)).toBe('ok');
    expect(last).not.toBeInstanceOf(Error);
    expect((last as RecordMetadata[])[0]).toMatchObject({ topic, partition: 0, errorCode: 0 });
    expect((last as RecordMetadata[])[0].baseOffset).toBeGreaterThanOrEqual(1);
    expect(await leaderOf(survivors, topic, 0)).toBe(next);

    await producer.disconnect();
    await survivors.disconnect();
    await admin.disconnect();
  });
});
