import { recordValue, warmupCount } from '../measure';
import { RUN_TIME_CAP_MS } from '../options';
import type { ResultRow } from '../results';
import { createReplicatedTopic, REPLICATION_UNAVAILABLE } from '../tributary/replication';
import { THROUGHPUT_PRODUCER } from '../tributary/settings';
import { produceRecords } from '../tributary/workloads';
import { natsProduceSteps } from './peer-steps';
import { mergeThroughputRuns, progressOf, skippedRow, step, stepLabel, throughputFields, withBrokerCpu } from './step';
import type { Scenario } from './types';
import { PRODUCE_PARTITIONS } from './produce-rf1';

/** marks the row that runs the producer with idempotence off, for the cost comparison */
export const IDEMPOTENCE_OFF = 'idempotent: false';

export const RF3_GUARANTEE = 'RF=3 acks=all, min.insync=2: every in-sync replica wrote it (page cache)';

/**
 * Scenario 2: the durable path. Until replication lands the broker refuses RF=3 and the
 * Tributary rows say so; the NATS R3 rows (the targets' reference) run regardless.
 */
export const produceRf3Scenario: Scenario = {
  id: 'produce-rf3',
  title: '2. Produce throughput: RF=3 acks=all, min.insync=2, one producer, 6 partitions, 3 brokers',
  steps: (o, nats) => o.messageSizes.length * (4 + (nats ? 2 : 0)),
  async run(ctx) {
    const rows: ResultRow[] = [];
    const cluster = await ctx.env.startCluster('produce-rf3');
    const client = cluster.client();
    const admin = client.admin();
    try {
      for (const size of ctx.options.messageSizes) {
        const value = recordValue(size);
        const topic = `produce-rf3-${size}`;
        const total = ctx.options.records;
        const probe: { refused: string | null } = { refused: null };
        // read through a call: the step's callback sets it, which TypeScript's narrowing cannot see
        const refusal = (): string | null => probe.refused;
        const baseOf = (idempotent: boolean) => ({
          scenario: 'produce-rf3',
          system: 'Tributary' as const,
          variant: `acks=all, ${PRODUCE_PARTITIONS} partitions, 3 brokers, 1 producer${idempotent ? '' : `, ${IDEMPOTENCE_OFF}`}`,
          guarantee: RF3_GUARANTEE,
          recordSize: size,
        });
        // Idempotence on (the SDK default) and off on the same cluster, in the order on, off, off,
        // on with half the records each: whichever ran first would otherwise pay the cluster's
        // warm-up (JIT, first segments) alone. Each row adds up its two halves.
        const halves = new Map<boolean, ResultRow[]>([
          [true, []],
          [false, []],
        ]);
        const half = Math.max(1, Math.ceil(total / 2));
        for (const [run, idempotent] of [true, false, false, true].entries()) {
          const base = baseOf(idempotent);
          const refusedBefore = refusal();
          if (refusedBefore !== null) {
            halves.get(idempotent)?.push(skippedRow(base, `${REPLICATION_UNAVAILABLE} (the broker said: ${refusedBefore})`));
            continue;
          }
          const label = stepLabel('produce-rf3', size, `Tributary${idempotent ? '' : ` ${IDEMPOTENCE_OFF}`} (${run < 2 ? 1 : 2}/2)`);
          const row = await step(ctx, label, base, async (progress) => {
            const topicName = `${topic}-${run}`;
            const created = await createReplicatedTopic(admin, topicName, PRODUCE_PARTITIONS);
            if (!created.available) {
              probe.refused = created.reason;
              return {};
            }
            const producer = client.producer({ acks: 'all', idempotent, ...THROUGHPUT_PRODUCER });
            try {
              await produceRecords(producer, { topic: topicName, value, total: warmupCount(half), timeCapMs: RUN_TIME_CAP_MS });
              return await withBrokerCpu(cluster, async () =>
                throughputFields(
                  await produceRecords(producer, { topic: topicName, value, total: half, timeCapMs: RUN_TIME_CAP_MS, onProgress: progressOf(half, progress) }),
                  size,
                ),
              );
            } finally {
              await producer.disconnect().catch(() => undefined);
            }
          });
          const refused = refusal();
          halves.get(idempotent)?.push(refused === null ? row : skippedRow(base, `${REPLICATION_UNAVAILABLE} (the broker said: ${refused})`));
        }
        for (const idempotent of [true, false]) {
          const row = mergeThroughputRuns(baseOf(idempotent), halves.get(idempotent) ?? [], size);
          if (row.recordsPerSec) ctx.shared.peakReplicatedRate.set(size, Math.max(row.recordsPerSec, ctx.shared.peakReplicatedRate.get(size) ?? 0));
          rows.push(row);
        }
        rows.push(...(await natsProduceSteps(ctx, 'produce-rf3', 3, size, value)));
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
      await cluster.stop();
    }
    return rows;
  },
};
