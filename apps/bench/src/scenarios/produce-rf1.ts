import { recordValue, warmupCount } from '../measure';
import { RUN_TIME_CAP_MS } from '../options';
import type { ResultRow } from '../results';
import { createTopic } from '../tributary/replication';
import { THROUGHPUT_PRODUCER } from '../tributary/settings';
import { produceRecords } from '../tributary/workloads';
import { natsProduceSteps, redisProduceStep } from './peer-steps';
import { progressOf, step, stepLabel, throughputFields, withBrokerCpu } from './step';
import type { Scenario } from './types';

export const PRODUCE_PARTITIONS = 6;
export const RF1_GUARANTEE = 'RF=1 acks=1: the leader wrote it to its page cache (fsync within LOG_FLUSH_INTERVAL_MS, 1 s)';

/** Scenario 1: the fastest honest path, one producer into a 6-partition RF=1 topic on 3 brokers. */
export const produceScenario: Scenario = {
  id: 'produce',
  title: '1. Produce throughput: RF=1 acks=1, one producer, one topic of 6 partitions, 3 brokers',
  steps: (o, nats) => o.messageSizes.length * (2 + (nats ? 2 : 0)),
  async run(ctx) {
    const rows: ResultRow[] = [];
    const cluster = await ctx.env.startCluster('produce');
    const client = cluster.client();
    const admin = client.admin();
    try {
      for (const size of ctx.options.messageSizes) {
        const value = recordValue(size);
        const topic = `produce-${size}`;
        const total = ctx.options.records;
        const row = await step(
          ctx,
          stepLabel('produce', size, 'Tributary'),
          {
            scenario: 'produce',
            system: 'Tributary',
            variant: `acks=1, ${PRODUCE_PARTITIONS} partitions, 3 brokers, 1 producer`,
            guarantee: RF1_GUARANTEE,
            recordSize: size,
          },
          async (progress) => {
            await createTopic(admin, topic, PRODUCE_PARTITIONS);
            const producer = client.producer({ acks: 1, ...THROUGHPUT_PRODUCER });
            try {
              await produceRecords(producer, { topic, value, total: warmupCount(total), timeCapMs: RUN_TIME_CAP_MS });
              return await withBrokerCpu(cluster, async () =>
                throughputFields(
                  await produceRecords(producer, { topic, value, total, timeCapMs: RUN_TIME_CAP_MS, onProgress: progressOf(total, progress) }),
                  size,
                ),
              );
            } finally {
              await producer.disconnect().catch(() => undefined);
            }
          },
        );
        if (row.recordsPerSec) ctx.shared.peakProduceRate.set(size, Math.max(row.recordsPerSec, ctx.shared.peakProduceRate.get(size) ?? 0));
        rows.push(row);
        rows.push(await redisProduceStep(ctx, 'produce', size, value));
        rows.push(...(await natsProduceSteps(ctx, 'produce', 1, size, value)));
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
      await cluster.stop();
    }
    return rows;
  },
};
