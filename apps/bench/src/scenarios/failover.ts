import { performance } from 'perf_hooks';
import type { Admin } from '@tributary/client';
import { recordValue } from '../measure';
import type { BrokerCluster } from '../processes/broker-cluster';
import { sleep } from '@tributary/process-kit';
import type { ResultRow } from '../results';
import { createReplicatedTopic, REPLICATION_UNAVAILABLE } from '../tributary/replication';
import { RF3_GUARANTEE } from './produce-rf3';
import { round, skippedRow, step, stepLabel } from './step';
import type { Scenario } from './types';

const TOPIC = 'failover';
const PARTITIONS = 6;
const PARTITION = 0;
/** failover slower than this is reported as not recovered */
const GIVE_UP_MS = 60_000;
const ATTEMPT_PAUSE_MS = 10;
const WATCH_EVERY_MS = 100;

/**
 * Scenario 6: SIGKILL the leader of a partition of an RF=3 min.insync=2 topic and time
 * until the first acks=all write to that partition succeeds. Skips while the build
 * refuses RF=3.
 */
export const failoverScenario: Scenario = {
  id: 'failover',
  title: '6. Failover: SIGKILL a partition leader, time until the first acks=all write succeeds',
  steps: () => 1,
  async run(ctx) {
    const base: Omit<ResultRow, 'status'> = {
      scenario: 'failover',
      system: 'Tributary',
      variant: `SIGKILL the leader of partition ${PARTITION} (${PARTITIONS} partitions, 3 brokers, default broker timeouts and lag limits)`,
      guarantee: RF3_GUARANTEE,
      recordSize: null,
    };
    const cluster = await ctx.env.startCluster('failover');
    // short request timeouts and quick retries, so the loop below sees the cluster recover as soon as it does
    const client = cluster.client({ requestTimeoutMs: 2_000, retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 } });
    const admin = client.admin();
    const probe: { refused: string | null } = { refused: null };
    try {
      const row = await step(ctx, stepLabel('failover', null, 'kill the leader'), base, async () => {
        const created = await createReplicatedTopic(admin, TOPIC, PARTITIONS);
        if (!created.available) {
          probe.refused = created.reason;
          return {};
        }
        return measureFailover(cluster, admin, client);
      });
      return [probe.refused === null ? row : skippedRow(base, `${REPLICATION_UNAVAILABLE} (the broker said: ${probe.refused})`)];
    } finally {
      await admin.disconnect().catch(() => undefined);
      await cluster.stop();
    }
  },
};

async function measureFailover(cluster: BrokerCluster, admin: Admin, client: ReturnType<BrokerCluster['client']>): Promise<Partial<ResultRow>> {
  const producer = client.producer({ acks: 'all', lingerMs: 0, timeoutMs: 2_000 });
  const value = recordValue(100);
  const write = () => producer.send({ topic: TOPIC, messages: [{ partition: PARTITION, value }] });
  try {
    // steady state first: the partition takes acks=all writes before anything is killed
    for (let i = 0; i < 10; i++) await write();
    const before = await partitionState(admin);
    const victim = cluster.broker(before.leader);
    const killedAt = performance.now();
    await victim.process.crash();
    // watched beside the writes: when the new leader shows up and when the dead broker leaves the ISR
    const watcher = watchPartition(client.admin(), before.leader, killedAt);
    let attempts = 0;
    let lastError = '';
    const maxAttempts = Math.ceil(GIVE_UP_MS / ATTEMPT_PAUSE_MS);
    for (; attempts < maxAttempts && performance.now() - killedAt < GIVE_UP_MS; attempts++) {
      try {
        await write();
        const seconds = (performance.now() - killedAt) / 1000;
        const seen = await watcher.stop();
        const after = await admin
          .describeCluster() // refreshes metadata, so the new leader is read, not the cached one
          .then(() => partitionState(admin))
          .catch(() => ({ leader: -1, leaderEpoch: -1 }));
        return {
          seconds: round(seconds, 3),
          metrics: {
            failoverSeconds: round(seconds, 3),
            killedBroker: before.leader,
            newLeader: after.leader,
            leaderEpochBefore: before.leaderEpoch,
            leaderEpochAfter: after.leaderEpoch,
            attempts: attempts + 1,
            ...(seen.leaderElectedSeconds === undefined ? {} : { leaderElectedSeconds: round(seen.leaderElectedSeconds, 3) }),
            ...(seen.isrShrunkSeconds === undefined ? {} : { deadBrokerLeftIsrSeconds: round(seen.isrShrunkSeconds, 3) }),
          },
        };
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        await sleep(ATTEMPT_PAUSE_MS);
      }
    }
    await watcher.stop();
    throw new Error(`no acks=all write succeeded within ${GIVE_UP_MS / 1000} s of the kill (last error: ${lastError})`);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

async function partitionState(admin: Admin): Promise<{ leader: number; leaderEpoch: number; isr: number[] }> {
  const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  const p = meta.topics[0]?.partitions.find((x) => x.partition === PARTITION);
  if (!p || p.leader < 0) throw new Error(`partition ${PARTITION} of ${TOPIC} has no leader`);
  return { leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr };
}

interface FailoverTimeline {
  leaderElectedSeconds?: number;
  isrShrunkSeconds?: number;
}

/**
 * Polls metadata every WATCH_EVERY_MS until stopped (or GIVE_UP_MS), noting when another
 * broker leads the partition and when the killed broker is out of its ISR, so the report
 * can say which step of a failover takes the time.
 */
function watchPartition(admin: Admin, killed: number, killedAt: number): { stop: () => Promise<FailoverTimeline> } {
  const seen: FailoverTimeline = {};
  let stopped = false;
  const loop = (async () => {
    const maxPolls = Math.ceil(GIVE_UP_MS / WATCH_EVERY_MS);
    for (let i = 0; i < maxPolls && !stopped && performance.now() - killedAt < GIVE_UP_MS; i++) {
      try {
        await admin.describeCluster(); // refreshes the metadata fetchTopicMetadata reads
        const p = await partitionState(admin);
        const at = (performance.now() - killedAt) / 1000;
        if (seen.leaderElectedSeconds === undefined && p.leader !== killed) seen.leaderElectedSeconds = at;
        if (seen.isrShrunkSeconds === undefined && !p.isr.includes(killed)) seen.isrShrunkSeconds = at;
        if (seen.leaderElectedSeconds !== undefined && seen.isrShrunkSeconds !== undefined) break;
      } catch {
        // no leader right now: that is what is being waited for
      }
      await sleep(WATCH_EVERY_MS);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      await admin.disconnect().catch(() => undefined);
      return seen;
    },
  };
}
