import { performance } from 'perf_hooks';
import type { Tributary } from '@tributary/client';
import { recordValue } from '../measure';
import { RUN_TIME_CAP_MS } from '../options';
import { sleep } from '@tributary/process-kit';
import type { ResultRow } from '../results';
import { readAsGroup } from '../tributary/groups';
import { createTopic } from '../tributary/replication';
import { THROUGHPUT_CONSUMER, THROUGHPUT_PRODUCER } from '../tributary/settings';
import { produceRecords } from '../tributary/workloads';
import { PRODUCE_PARTITIONS, RF1_GUARANTEE } from './produce-rf1';
import { progressOf, round, step, stepLabel, throughputFields } from './step';
import type { Scenario, ScenarioContext } from './types';

const PARTITIONS = 1_000;
const QUICK_PARTITIONS = 50;
const GROUP_MEMBERS = 50;
const QUICK_GROUP_MEMBERS = 5;
/** lets allocations from creation settle before VmRSS is read */
const RSS_SETTLE_MS = 1_000;
const CREATE_TIMEOUT_MS = 180_000;

/**
 * Scenario 5: many partitions. Time to create a 1,000-partition topic (until every
 * partition has a leader), produce throughput with keyed records spread over all of them
 * beside the same workload over 6 partitions on the same cluster (the ratio is in the row),
 * broker memory per partition (VmRSS before/after), and once groups exist, 50 consumers
 * joining one group.
 */
export const scaleScenario: Scenario = {
  id: 'scale',
  title: '5. Scale: one topic of 1,000 partitions on 3 brokers',
  steps: (o) => 1 + 2 * o.messageSizes.length + 1 + 1,
  async run(ctx) {
    const partitions = ctx.options.quick ? QUICK_PARTITIONS : PARTITIONS;
    const members = ctx.options.quick ? QUICK_GROUP_MEMBERS : GROUP_MEMBERS;
    const topic = `scale-${partitions}`;
    const rows: ResultRow[] = [];
    const cluster = await ctx.env.startCluster('scale');
    const client = cluster.client({ requestTimeoutMs: 60_000 });
    const admin = client.admin();
    const n = partitions.toLocaleString('en-US');
    try {
      await sleep(RSS_SETTLE_MS);
      const rssBefore = await cluster.residentKiB();
      let rssAfterCreate = rssBefore;
      const created = await step(
        ctx,
        stepLabel('scale', null, `create a ${n}-partition topic`),
        {
          scenario: 'scale',
          system: 'Tributary',
          variant: `create topic, ${n} partitions, RF=1, until every partition has a leader`,
          guarantee: 'RF=1',
          recordSize: null,
        },
        async () => {
          const t0 = performance.now();
          await createTopic(admin, topic, partitions, CREATE_TIMEOUT_MS);
          const seconds = (performance.now() - t0) / 1000;
          // "created" in metadata is not yet "usable": time until every partition took a write
          await firstWriteToEvery(client, topic, partitions);
          const readySeconds = (performance.now() - t0) / 1000;
          await sleep(RSS_SETTLE_MS);
          rssAfterCreate = await cluster.residentKiB();
          return {
            seconds: round(seconds, 3),
            metrics: {
              createSeconds: round(seconds, 3),
              secondsUntilEveryPartitionTookAWrite: round(readySeconds, 3),
              rssBeforeMiB: round(rssBefore / 1024, 1),
              rssAfterCreateMiB: round(rssAfterCreate / 1024, 1),
              rssKiBPerPartitionAfterCreate: round((rssAfterCreate - rssBefore) / partitions, 1),
            },
          };
        },
      );
      rows.push(created);
      if (created.status !== 'ok') return rows;

      let produced = partitions; // the one record per partition written while timing readiness
      const few = `scale-${PRODUCE_PARTITIONS}`;
      await createTopic(admin, few, PRODUCE_PARTITIONS, CREATE_TIMEOUT_MS);
      for (const size of ctx.options.messageSizes) {
        // the same keyed workload over scenario 1's 6 partitions first, on this cluster in this minute: the yardstick
        const small = await keyedProduceStep(ctx, client, few, PRODUCE_PARTITIONS, size);
        rows.push(small);
        const row = await keyedProduceStep(ctx, client, topic, partitions, size);
        if (row.records) produced += row.records;
        if (row.recordsPerSec && small.recordsPerSec)
          row.metrics = { ...row.metrics, ratioToThe6PartitionRow: round(row.recordsPerSec / small.recordsPerSec, 2) };
        rows.push(row);
      }

      rows.push(
        await step(
          ctx,
          stepLabel('scale', null, 'broker memory per partition'),
          { scenario: 'scale', system: 'Tributary', variant: `broker VmRSS (sum of 3) per partition, ${n} partitions`, guarantee: 'RF=1', recordSize: null },
          async () => {
            await sleep(RSS_SETTLE_MS);
            const rssAfterProduce = await cluster.residentKiB();
            return {
              metrics: {
                rssBeforeMiB: round(rssBefore / 1024, 1),
                rssAfterCreateMiB: round(rssAfterCreate / 1024, 1),
                rssAfterProduceMiB: round(rssAfterProduce / 1024, 1),
                rssKiBPerPartitionAfterCreate: round((rssAfterCreate - rssBefore) / partitions, 1),
                rssKiBPerPartitionAfterProduce: round((rssAfterProduce - rssBefore) / partitions, 1),
              },
            };
          },
        ),
      );

      const groupBase: Omit<ResultRow, 'status'> = {
        scenario: 'scale',
        system: 'Tributary',
        variant: `${members} consumers join one group over ${n} partitions: time until every record is consumed`,
        guarantee: 'RF=1',
        recordSize: null,
      };
      rows.push(
        await step(ctx, stepLabel('scale', null, `${members} consumers join one group`), groupBase, () => groupJoin(ctx, client, topic, produced, members)),
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
      await cluster.stop();
    }
    return rows;
  },
};

/** Keyed acks=1 records spread over every partition of `topic`. */
function keyedProduceStep(ctx: ScenarioContext, client: Tributary, topic: string, partitions: number, size: number): Promise<ResultRow> {
  const n = partitions.toLocaleString('en-US');
  const total = ctx.options.records;
  return step(
    ctx,
    stepLabel('scale', size, `produce keyed records over ${n} partitions`),
    { scenario: 'scale', system: 'Tributary', variant: `acks=1, keyed records over ${n} partitions, 3 brokers`, guarantee: RF1_GUARANTEE, recordSize: size },
    async (progress) => {
      const producer = client.producer({ acks: 1, ...THROUGHPUT_PRODUCER });
      try {
        const value = recordValue(size);
        const keyOf = (i: number): string => `key-${size}-${i}`;
        const result = await produceRecords(producer, { topic, value, total, keyOf, timeCapMs: RUN_TIME_CAP_MS, onProgress: progressOf(total, progress) });
        return throughputFields(result, size);
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    },
  );
}

/** One acks=1 record to each partition, all in one send, so the time covers the slowest partition. */
async function firstWriteToEvery(client: Tributary, topic: string, partitions: number): Promise<void> {
  const producer = client.producer({ acks: 1, lingerMs: 0, maxRequestSize: 4_000_000 });
  try {
    const value = Buffer.from('ready');
    await producer.send({ topic, messages: Array.from({ length: partitions }, (_, partition) => ({ partition, value })) });
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Time from the first subscribe until the group has consumed every record of the topic. */
async function groupJoin(ctx: ScenarioContext, client: Tributary, topic: string, total: number, members: number): Promise<Partial<ResultRow>> {
  const groupId = `bench-scale-${process.pid}-${Date.now()}`;
  const partitionsSeen = new Set<number>();
  const read = await readAsGroup(client, groupId, topic, members, total, RUN_TIME_CAP_MS, THROUGHPUT_CONSUMER, (batch) => partitionsSeen.add(batch.partition));
  if (!read.complete) ctx.note(`  scale: the group consumed ${read.received} of ${total} records in ${RUN_TIME_CAP_MS / 1000} s`);
  return {
    seconds: round(read.seconds, 3),
    records: read.received,
    note: read.complete ? undefined : `stopped by the cap: ${read.received} of ${total} records`,
    metrics: { members, partitionsConsumed: partitionsSeen.size, secondsUntilAllConsumed: round(read.seconds, 3) },
  };
}
