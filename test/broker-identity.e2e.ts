import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tributary } from '@tributary/client';
import Redis from 'ioredis';
import { Coordination, Keys, type ClusterStore } from '@tributary/coordination';
import { ErrorCode, type FetchResponse } from '@tributary/protocol';
import { BROKER_MAIN, BrokerProcess, TEST_INTER_BROKER_SECRET } from './support/broker-process';
import { freePort, sleep, waitFor } from './support/free-port';
import { authenticateAsBroker } from './support/inter-broker';
import { RawSocket } from './support/raw-socket';
import { readAll, waitForFullIsr } from './support/replication-helpers';
import { TestCluster } from './support/test-cluster';

jest.setTimeout(300_000);

// A long session, so a SIGKILLed broker's registration is surely still live when it restarts,
// and a SIGSTOPped follower stays registered (and in the ISR) for the ack injection below.
const SESSION_MS = 10_000;
// The stall timeout too: a silent follower must stay in the ISR while the ack tests hold it
// paused, so that only acks can move its progress.
const ENV = {
  LEADER_LEASE_MS: '1000',
  REPLICA_LAG_TIME_MAX_MS: '20000',
  REPLICA_STALL_TIMEOUT_MS: '20000',
  BROKER_SESSION_TIMEOUT_MS: String(SESSION_MS),
  METADATA_REFRESH_MS: '1000',
};

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Starts the built broker with the given settings and waits for it to exit (it is expected to refuse to start). */
function runBrokerExpectingExit(env: Record<string, string>, timeoutMs = 60_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BROKER_MAIN], { env: { ...process.env, HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`broker did not exit within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

function lockToken(dataDir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dataDir, '.lock'), 'utf8')) as { token: string }).token;
}

describe('broker identity: one live process per broker id, one broker per data directory, broker epochs', () => {
  let cluster: TestCluster;
  let client: Tributary;
  let coordination: Coordination;
  let store: ClusterStore;
  /** a connection of the test's own, to look at the registry keys directly */
  let redis: Redis;
  let keys: Keys;
  const topic = 'ident';
  const partitions = 3;
  const extra: BrokerProcess[] = [];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-ident-'));

  const clusterId = () => cluster.brokers[0].options.clusterId;
  const epochsOf = async () => (await client.admin().fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.map((p) => p.leaderEpoch);
  const produceAll = async (tag: string, n = 30) => {
    const producer = client.producer({ acks: 'all', lingerMs: 1 });
    for (let i = 0; i < n; i++) await producer.send({ topic, messages: [{ key: `k${i}`, value: `${tag}-${i}` }] });
    await producer.disconnect();
  };

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerEnv: ENV });
    client = new Tributary({
      brokers: cluster.brokers.map((b) => b.url),
      requestTimeoutMs: 10_000,
      retry: { retries: 40, initialRetryTime: 50, maxRetryTime: 500 },
    });
    coordination = Coordination.connect({ redisUrl: cluster.redis.url, cluster: clusterId() });
    store = coordination.store;
    redis = new Redis(cluster.redis.url);
    keys = new Keys(clusterId());
    await client.admin().createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }] });
    await waitForFullIsr(client.admin(), topic, 3);
    await produceAll('setup');
  });

  afterAll(async () => {
    await client?.disconnect().catch(() => undefined);
    await Promise.all(extra.map((b) => b.kill('SIGKILL')));
    redis?.disconnect();
    await coordination?.close();
    await cluster?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses a second broker with a live id (non-zero exit naming the id and the holder), and the first keeps serving without epoch churn', async () => {
    const before = await epochsOf();
    const holderToken = lockToken(cluster.broker(2).options.dataDir);
    const port = await freePort();
    const exit = await runBrokerExpectingExit({
      ...ENV,
      BROKER_ID: '2',
      PORT: String(port),
      REDIS_URL: cluster.redis.url,
      DATA_DIR: path.join(scratch, 'dup-2'),
      CLUSTER_ID: clusterId(),
    });
    process.stdout.write(`duplicate id: exit ${exit.code}, ${exit.output.trim()}\n`);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.output).toContain('broker id 2 is already held by a live broker');
    expect(exit.output).toContain(cluster.broker(2).url);
    // the registration is still the first process's, under its own epoch
    expect(await redis.get(keys.broker(2))).toBe(holderToken);
    expect(cluster.broker(2).running).toBe(true);

    await produceAll('after-dup');
    await sleep(2000);
    expect(await epochsOf()).toEqual(before);
    const logs = await readAll(client, topic, partitions);
    const values = [...logs.values()].flatMap((m) => [...m.values()]);
    for (let i = 0; i < 30; i++) expect(values).toContain(`after-dup-${i}`);
  });

  it('refuses a second broker (another id) on a locked DATA_DIR, and it never registers', async () => {
    const exit = await runBrokerExpectingExit({
      ...ENV,
      BROKER_ID: '7',
      PORT: String(await freePort()),
      REDIS_URL: cluster.redis.url,
      DATA_DIR: cluster.broker(1).options.dataDir,
      CLUSTER_ID: clusterId(),
    });
    process.stdout.write(`locked data dir: exit ${exit.code}, ${exit.output.trim()}\n`);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.output).toContain(`DATA_DIR ${cluster.broker(1).options.dataDir} is locked by broker 1`);
    expect((await store.liveBrokers()).map((b) => b.id)).toEqual([1, 2, 3]);
    expect(await store.brokerEpoch(7)).toBe(-1);
    // the lock still names broker 1
    expect(fs.readFileSync(path.join(cluster.broker(1).options.dataDir, '.lock'), 'utf8')).toContain('"brokerId":1');
  });

  interface Restart {
    staleEpoch: number;
    oldToken: string;
    /** the registration and its time to live right after the SIGKILL, before the restart */
    tokenAfterKill: string | null;
    pttlAfterKill: number;
    readyMs: number;
  }
  let restart3: Promise<Restart> | undefined;
  /**
   * SIGKILLs broker 3 and starts it again with the same id and DATA_DIR, once per file: whichever
   * test needs a stale incarnation of broker 3 first does it, so no test relies on another's order.
   */
  const restartedBroker3 = (): Promise<Restart> =>
    (restart3 ??= (async () => {
      const b3 = cluster.broker(3);
      const staleEpoch = await store.brokerEpoch(3);
      const oldToken = lockToken(b3.options.dataDir);
      await b3.kill('SIGKILL');
      const killedAt = Date.now();
      const tokenAfterKill = await redis.get(keys.broker(3));
      const pttlAfterKill = await redis.pttl(keys.broker(3));
      await b3.start();
      const readyMs = Date.now() - killedAt;
      await waitForFullIsr(client.admin(), topic, 3);
      return { staleEpoch, oldToken, tokenAfterKill, pttlAfterKill, readyMs };
    })());

  it('restarts a SIGKILLed broker with the same id and DATA_DIR at once, while its old registration is still live', async () => {
    const { staleEpoch, oldToken, tokenAfterKill, pttlAfterKill, readyMs } = await restartedBroker3();
    // The dead process's registration had not lapsed: only the stale lock proved it dead.
    expect(tokenAfterKill).toBe(oldToken);
    expect(pttlAfterKill).toBeGreaterThan(1000);
    process.stdout.write(`SIGKILL to serving again: ${readyMs} ms (session timeout ${SESSION_MS} ms)\n`);
    const newToken = lockToken(cluster.broker(3).options.dataDir);
    expect(newToken).not.toBe(oldToken);
    expect(await redis.get(keys.broker(3))).toBe(newToken);
    expect(await store.brokerEpoch(3)).toBe(staleEpoch + 1);
    await produceAll('after-restart', 10);
    const values = [...(await readAll(client, topic, partitions)).values()].flatMap((m) => [...m.values()]);
    for (let i = 0; i < 10; i++) expect(values).toContain(`after-restart-${i}`);
  });

  it("rejects a stale incarnation's leadership claim, lease renewal and ISR change, and accepts the current ones", async () => {
    const staleEpoch3 = (await restartedBroker3()).staleEpoch;
    expect(staleEpoch3).toBeGreaterThan(0);
    const current = await store.brokerEpoch(3);
    expect(current).toBe(staleEpoch3 + 1);
    const before = await store.partitionStates(topic);
    const other = before.find((s) => s.leader !== 3 && s.leader > 0);
    expect(other).toBeDefined();
    const { partition, leader, leaderEpoch, isr } = other!;

    // Broker 3's previous incarnation (the SIGKILLed process) claims: refused before anything
    // else is looked at. Its current incarnation passes the identity check and meets the live
    // leader's lease instead.
    expect(await store.claimLeadership(topic, partition, { id: 3, epoch: staleEpoch3 }, 1000, false)).toEqual({ refused: 'stale-broker-epoch' });
    expect(await store.claimLeadership(topic, partition, { id: 3, epoch: current }, 1000, false)).toEqual({ refused: 'lease-held' });
    // The leader's lease renewal and ISR change carry its broker epoch: an older one is refused.
    const leaderEpochNow = await store.brokerEpoch(leader);
    expect(await store.renewLeaderLease(topic, partition, { id: leader, epoch: leaderEpochNow - 1 }, leaderEpoch, 1000)).toBe(false);
    expect(await store.updateIsr(topic, partition, { id: leader, epoch: leaderEpochNow - 1 }, leaderEpoch, isr)).toBe('stale-broker-epoch');
    expect(await store.renewLeaderLease(topic, partition, { id: leader, epoch: leaderEpochNow }, leaderEpoch, 1000)).toBe(true);
    expect(await store.updateIsr(topic, partition, { id: leader, epoch: leaderEpochNow }, leaderEpoch, isr)).toBe('updated');
    // none of it moved a leader or an epoch
    const after = await store.partitionStates(topic);
    expect(after.map((s) => [s.leader, s.leaderEpoch])).toEqual(before.map((s) => [s.leader, s.leaderEpoch]));
  });

  it('refuses a replica fetch from a stale incarnation with STALE_BROKER_EPOCH, serves the current one', async () => {
    const staleEpoch3 = (await restartedBroker3()).staleEpoch;
    const current = await store.brokerEpoch(3);
    const state = (await store.partitionStates(topic)).find((s) => s.leader !== 3 && s.leader > 0);
    expect(state).toBeDefined();
    const leader = cluster.broker(state!.leader);
    const raw = await RawSocket.connect(leader.url);
    try {
      // Replica fetches need a broker connection; this one proves broker 3 without naming an
      // epoch, so the partition's own epoch check is what answers.
      expect((await authenticateAsBroker(raw, clusterId(), 3, TEST_INTER_BROKER_SECRET)).errorCode).toBe(ErrorCode.NONE);
      const fetch = (brokerEpoch: number | undefined) =>
        raw.request<FetchResponse>('fetch', {
          replicaId: 3,
          replicaEpoch: state!.leaderEpoch,
          ...(brokerEpoch === undefined ? {} : { replicaBrokerEpoch: brokerEpoch }),
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          partitions: [{ topic, partition: state!.partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 }],
        });
      await waitFor(
        "the leader to know broker 3's new epoch",
        async () => (await fetch(staleEpoch3)).partitions[0].errorCode === ErrorCode.STALE_BROKER_EPOCH,
        10_000,
      );
      expect((await fetch(undefined)).partitions[0].errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
      const ok = await fetch(current);
      expect(ok.errorCode).toBe(ErrorCode.NONE);
      expect(ok.partitions[0].errorCode).toBe(ErrorCode.NONE);
      expect(ok.partitions[0].byteLength).toBeGreaterThan(0);
    } finally {
      raw.close();
    }
  });

  it('ignores a replication ack carrying a stale broker epoch, and counts the current one', async () => {
    const staleEpoch3 = (await restartedBroker3()).staleEpoch;
    // needs a partition whose ISR holds all three; an earlier fault may still be healing
    await waitForFullIsr(client.admin(), topic, 3);
    const current = await store.brokerEpoch(3);
    const state = (await store.partitionStates(topic)).find((s) => s.leader !== 3 && s.leader > 0 && s.isr.includes(3) && s.isr.length === 3);
    expect(state).toBeDefined();
    const { partition, leader, leaderEpoch } = state!;
    const leaderOnly = new Tributary({ brokers: [cluster.broker(leader).url], requestTimeoutMs: 30_000, retry: { retries: 0 } });
    const producer = leaderOnly.producer({ acks: 'all', lingerMs: 0, timeoutMs: 25_000 });
    await producer.connect();
    const inject = (brokerEpoch: number) =>
      redis.xadd(keys.replicaAcks(leader), '*', 't', topic, 'p', partition, 'r', 3, 'o', 1_000_000_000, 'e', leaderEpoch, 'be', brokerEpoch);
    // Broker 3 paused: it acks nothing, stays registered (session 10 s) and in the ISR (lag 20 s),
    // so an acks=all write completes only if an ack for broker 3 is counted.
    await cluster.broker(3).kill('SIGSTOP');
    try {
      let doneAt = 0;
      const started = Date.now();
      const send = producer.send({ topic, messages: [{ key: 'x', value: 'needs-3', partition }] }).then(() => {
        doneAt = Date.now();
      });
      await sleep(300);
      await inject(staleEpoch3);
      await sleep(2000);
      expect(doneAt).toBe(0); // the stale ack was ignored: still waiting for broker 3
      const injectedAt = Date.now();
      await inject(current);
      await send;
      process.stdout.write(`acks=all write waited ${injectedAt - started} ms through a stale ack; completed ${doneAt - injectedAt} ms after the current one\n`);
      // Without the current ack the write would wait for broker 3's 20 s lag limit or the 25 s
      // producer timeout; the bound tells those apart without timing the leader's ack reader.
      expect(doneAt - injectedAt).toBeLessThan(10_000);
    } finally {
      await cluster.broker(3).kill('SIGCONT');
      await producer.disconnect();
    }
  });

  it('makes a broker paused past its session, whose id another process took meanwhile, stop serving and exit', async () => {
    const old = cluster.broker(2);
    await old.kill('SIGSTOP');
    await waitFor("broker 2's registration to lapse", async () => (await redis.exists(keys.broker(2))) === 0, SESSION_MS + 20_000, 200);
    const successor = new BrokerProcess({ ...old.options, port: await freePort(), dataDir: path.join(scratch, 'successor-2') });
    extra.push(successor);
    await successor.start();
    const successorToken = lockToken(successor.options.dataDir);
    await old.kill('SIGCONT');
    await waitFor('the fenced broker to exit', () => !old.running, SESSION_MS + 10_000, 100);
    process.stdout.write(`fenced broker output: ${old.output.trim().split('\n').slice(-1)[0]}\n`);
    expect(old.running).toBe(false);
    expect(old.output).toContain('broker 2 fenced');
    // it left the successor's registration alone
    expect(await redis.get(keys.broker(2))).toBe(successorToken);
    expect((await store.liveBrokers()).find((b) => b.id === 2)?.port).toBe(successor.options.port);
  });
});
