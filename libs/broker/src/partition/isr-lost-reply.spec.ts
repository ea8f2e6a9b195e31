import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Redis from 'ioredis';
import { Coordination, Keys, type ClusterStore } from '@tributary/coordination';
import { PartitionLog } from '@tributary/log';
import { encodeRecordBatch, TOPIC_CONFIG_DEFAULTS, type TopicConfig } from '@tributary/protocol';
import { TcpProxy } from '../../../../test/support/tcp-proxy';
import { InterBrokerAuth } from '../auth/inter-broker-auth';
import { BrokerLinks } from '../replication/broker-links';
import { PartitionActor } from './partition-actor';
import type { PartitionContext } from './partition-context';

/**
 * Issue 8, item 5: the leader's ISR-expansion script commits in Redis but its reply is lost.
 * The real script runs against a real Redis; a TCP proxy between the leader's ioredis client
 * and Redis forwards the command and drops the connection at the first byte of the reply, so
 * the call rejects (command timeout, while every reconnect loses its replies too) without
 * the leader knowing the outcome.
 */
const REDIS_PORT = Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ISR bookkeeping when the ISR script reply is lost (real Redis, real script)', () => {
  let proxy: TcpProxy;
  let coordination: Coordination;
  let store: ClusterStore;
  let keys: Keys;
  let direct: Redis;
  let dir: string;
  let actor: PartitionActor;
  let ticker: NodeJS.Timeout;
  const epochs = new Map<number, number>();
  const progress = (replica: number, logEndOffset: number) => actor.onReplicaProgress(replica, logEndOffset, 1, epochs.get(replica) ?? -1);

  beforeEach(async () => {
    proxy = await TcpProxy.start(REDIS_PORT);
    const cluster = `isr-lost-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    coordination = Coordination.connect({ redisUrl: proxy.redisUrl, cluster, commandTimeoutMs: 800, replicationStreamMaxLen: 1000 });
    store = coordination.store;
    keys = new Keys(cluster);
    direct = new Redis(REDIS_PORT, '127.0.0.1');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isr-lost-'));
    const controllerEpoch = await store.acquireController(1, 60_000);
    const topic = { name: 't', id: 'x', partitionCount: 1, replicationFactor: 3, configs: {}, createdAt: 1 };
    const initial = { topic: 't', partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr: [1, 2] };
    await store.createTopic(topic, [initial], controllerEpoch);
    // Brokers 1-3 as live incarnations: claims and ISR changes are fenced by broker epoch.
    epochs.clear();
    for (const id of [1, 2, 3]) {
      const claim = await store.claimBrokerId({ id, host: '127.0.0.1', port: 10_000 + id, url: `ws://127.0.0.1:${10_000 + id}` }, `token-${id}`, 600_000);
      if (!claim.claimed) throw new Error(`broker ${id} not claimed`);
      epochs.set(id, claim.epoch);
    }
    const config: TopicConfig = { ...TOPIC_CONFIG_DEFAULTS, 'min.insync.replicas': 2 };
    const ctx: PartitionContext = {
      brokerId: 1,
      brokerEpoch: () => epochs.get(1) ?? -1,
      replicaBrokerEpoch: (id) => epochs.get(id),
      store,
      streams: coordination.streams,
      links: new BrokerLinks(1000, new InterBrokerAuth('isr-lost', 1, 'x'.repeat(32))),
      leaderLeaseMs: 3000,
      // no lag rule may interfere: only the lost reply is under test
      replicaLagTimeMaxMs: 600_000,
      replicaStallTimeoutMs: 600_000,
      brokerUrl: (id) => `ws://127.0.0.1:${10_000 + id}`,
      // what the broker's metadata cache does: read Redis, hand the state to the actor
      reloadMetadata: () =>
        void store
          .partitionState('t', 0)
          .then((s) => s && actor.update(s, config))
          .catch(() => undefined),
      reportAck: () => undefined,
    };
    actor = new PartitionActor('t', 0, ctx, PartitionLog.open(dir), initial, config);
    ticker = setInterval(() => actor.tick(), 200);
    await waitUntil('the leader to claim its epoch', async () => (await store.partitionState('t', 0))?.leaderEpoch === 1 && actor.leaderEpoch === 1);
  });

  afterEach(async () => {
    clearInterval(ticker);
    await actor.close();
    const found = await direct.keys(`${keys.prefix}*`);
    if (found.length) await direct.del(...found);
    direct.disconnect();
    await coordination.close();
    await proxy.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const batch = (v: string) => encodeRecordBatch([{ key: null, value: Buffer.from(v), timestamp: Date.now() }]);

  it('reads the ISR back instead of keeping a smaller one than Redis holds, and then waits for the re-added member', async () => {
    await waitUntil('a confirmed lease', async () =>
      actor.produce(batch('first'), 1, 1000).then(
        () => true,
        () => false,
      ),
    );
    progress(2, 1);
    expect(actor.committedOffset).toBe(1);
    expect(actor.inSyncReplicas).toEqual([1, 2]);

    // Replica 3 has caught up: the leader runs the ISR-expansion script, and its reply is lost.
    proxy.dropReplies();
    progress(3, 1);
    await waitUntil('Redis to hold the expanded ISR', async () => JSON.parse((await direct.hget(keys.partitions('t'), '0')) ?? '{}').isr?.length === 3);
    // the call times out with the outcome unknown; while the link drops replies nothing reaches the leader
    await sleep(1500);
    expect(actor.inSyncReplicas).toEqual([1, 2]);
    proxy.pass();

    // The leader learns what Redis holds, rather than assuming its write failed.
    await waitUntil('the leader to adopt the ISR Redis holds', () => actor.inSyncReplicas.length === 3);
    expect(actor.inSyncReplicas).toEqual([1, 2, 3]);

    // The lease may have lapsed while replies were dropped: wait until writes are taken again.
    await waitUntil('a confirmed lease again', async () =>
      actor.produce(batch('probe'), 1, 1000).then(
        () => true,
        () => false,
      ),
    );
    const end = actor.log.logEndOffset;
    progress(2, end);
    progress(3, end);
    await waitUntil('the probe to commit', () => actor.committedOffset === end);

    // Replica 3 is in the ISR in Redis, so it may be the next leader: an acks=all write must
    // not be acknowledged before it has the record, although replica 2 already does.
    let acked = false;
    const write = actor.produce(batch('second'), -1, 20_000).then(() => (acked = true));
    await waitUntil('the append', () => actor.log.logEndOffset === end + 1);
    progress(2, end + 1);
    await sleep(700);
    expect(acked).toBe(false);
    expect(actor.committedOffset).toBe(end);
    progress(3, end + 1);
    await write;
    expect(actor.committedOffset).toBe(end + 1);
  });
});
