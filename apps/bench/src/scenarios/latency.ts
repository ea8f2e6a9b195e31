import type { AcksOption, Admin, Tributary } from '@tributary/client';
import { recordValue } from '../measure';
import { jetStreamLatencyTarget } from '../peers/nats-latency';
import { jetStreamGuarantee } from '../peers/nats-jetstream';
import type { ResultRow } from '../results';
import { createReplicatedTopic, createTopic, REPLICATION_UNAVAILABLE } from '../tributary/replication';
import { LATENCY_CONSUMER, LATENCY_PRODUCER } from '../tributary/settings';
import { PRODUCE_PARTITIONS } from './produce-rf1';
import { RF3_GUARANTEE } from './produce-rf3';
import { measureFixedRate, type FixedRateRun, type LatencyTarget } from './fixed-rate';
import { skippedRow, step, stepLabel } from './step';
import type { Scenario, ScenarioContext } from './types';

export const DEFAULT_RATES = [1_000, 10_000, 50_000];
const QUICK_RATES = [1_000];
/** a rate is attempted only when the measured produce peak has this much headroom (the consumer shares the CPU) */
const PEAK_HEADROOM = 1.5;

export function latencyRates(quick: boolean): number[] {
  return quick ? QUICK_RATES : DEFAULT_RATES;
}

interface Mode {
  acks: AcksOption;
  guarantee: string;
  /** creates the topic for one run in this mode */
  create: (admin: Admin, topic: string) => Promise<void>;
}

/**
 * Scenario 4: producer send → consumer receive at fixed offered rates, with HDR percentiles.
 * The issue asks for RF=3 acks=all; until replication lands it runs RF=1 acks=1 and says so
 * in every row. NATS JetStream R3 runs at the same sizes and rates through the same driver
 * (fixed-rate.ts), so the percentiles compare side by side.
 */
export const latencyScenario: Scenario = {
  id: 'latency',
  title: '4. End-to-end latency (send → receive) at fixed rates, HDR p50/p99/p99.9',
  steps: (o, nats) => o.messageSizes.length * latencyRates(o.quick).length * (nats ? 2 : 1),
  async run(ctx) {
    const rows: ResultRow[] = [];
    const cluster = await ctx.env.startCluster('latency');
    const client = cluster.client();
    const admin = client.admin();
    try {
      const mode = await pickMode(admin);
      for (const size of ctx.options.messageSizes) {
        for (const rate of latencyRates(ctx.options.quick)) {
          const base: Omit<ResultRow, 'status'> = {
            scenario: 'latency',
            system: 'Tributary',
            variant: `${rate.toLocaleString('en-US')} records/s offered, ${PRODUCE_PARTITIONS} partitions, acks=${String(mode.acks)}`,
            guarantee: mode.guarantee,
            recordSize: size,
            targetRate: rate,
          };
          const peak = (mode.acks === 'all' ? ctx.shared.peakReplicatedRate : ctx.shared.peakProduceRate).get(size);
          if (peak !== undefined && peak < rate * PEAK_HEADROOM) {
            ctx.progress.begin(stepLabel('latency', size, `${rate}/s skipped`));
            ctx.progress.end();
            rows.push(
              skippedRow(
                base,
                `skipped: this machine's measured produce peak at this size and guarantee (${Math.round(peak)} records/s) is below ${PEAK_HEADROOM}× this rate`,
              ),
            );
            continue;
          }
          const topic = `latency-${size}-${rate}`;
          rows.push(
            await step(ctx, stepLabel('latency', size, `${rate} records/s`), base, async (progress) => {
              await mode.create(admin, topic);
              const run: FixedRateRun = { size, rate, durationMs: ctx.options.durationSeconds * 1000, label: `latency ${size} B @ ${rate}/s`, progress };
              return measureFixedRate(ctx, tributaryLatencyTarget(client, topic, mode.acks), run, recordValue(size));
            }),
          );
        }
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
      await cluster.stop();
    }
    // after the brokers stopped: the peer gets the machine to itself, as Tributary did
    rows.push(...(await natsLatencySteps(ctx)));
    return rows;
  },
};

/** JetStream R3 at the same sizes and rates, so p50/p99 sit beside Tributary's from the same run. */
async function natsLatencySteps(ctx: ScenarioContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const servers = ctx.env.natsCluster();
  for (const size of ctx.options.messageSizes) {
    for (const rate of latencyRates(ctx.options.quick)) {
      const base: Omit<ResultRow, 'status'> = {
        scenario: 'latency',
        system: 'NATS JetStream',
        variant: `${rate.toLocaleString('en-US')} records/s offered, R3, 1 record/message, ordered consumer`,
        guarantee: jetStreamGuarantee(3),
        recordSize: size,
        targetRate: rate,
      };
      if (!servers) {
        rows.push(skippedRow(base, ctx.env.natsUnavailable ?? 'skipped: no nats-server'));
        continue;
      }
      rows.push(
        await step(ctx, stepLabel('latency', size, `NATS JetStream R3 ${rate} records/s`), base, async (progress) => {
          const target = jetStreamLatencyTarget(await servers, `LATENCY_${size}_${rate}_${process.pid}`);
          const run: FixedRateRun = { size, rate, durationMs: ctx.options.durationSeconds * 1000, label: `latency NATS R3 ${size} B @ ${rate}/s`, progress };
          return measureFixedRate(ctx, target, run, recordValue(size));
        }),
      );
    }
  }
  return rows;
}

async function pickMode(admin: Admin): Promise<Mode> {
  const probe = await createReplicatedTopic(admin, 'latency-replication-probe', 1);
  if (probe.available) {
    return {
      acks: 'all',
      guarantee: RF3_GUARANTEE,
      create: async (a, topic) => {
        const created = await createReplicatedTopic(a, topic, PRODUCE_PARTITIONS);
        if (!created.available) throw new Error(`RF=3 was refused: ${created.reason}`);
      },
    };
  }
  return {
    acks: 1,
    guarantee: `RF=1 acks=1, leader page cache (stand-in: RF=3 acks=all ${REPLICATION_UNAVAILABLE.replace('skipped: ', '')})`,
    create: (a, topic) => createTopic(a, topic, PRODUCE_PARTITIONS),
  };
}

/** A Tributary producer and an assigned consumer under the fixed-rate driver. */
function tributaryLatencyTarget(client: Tributary, topic: string, acks: AcksOption): LatencyTarget {
  const consumer = client.consumer(LATENCY_CONSUMER);
  const producer = client.producer({ acks, ...LATENCY_PRODUCER });
  return {
    async start(deliver) {
      await consumer.connect();
      consumer.assign(Array.from({ length: PRODUCE_PARTITIONS }, (_, partition) => ({ topic, partition, offset: 0 })));
      await consumer.run({ eachBatch: async ({ batch }) => deliver(batch.messages.map((m) => m.value)) });
      await producer.connect();
    },
    async send(values) {
      await producer.send({ topic, messages: values.map((value) => ({ value })) });
    },
    async stop() {
      await producer.disconnect().catch(() => undefined);
      await consumer.disconnect().catch(() => undefined);
    },
  };
}
