import { performance } from 'perf_hooks';
import { inspect } from 'util';
import { build as buildHistogram } from 'hdr-histogram-js';
import type { AcksOption, Admin, Message, Tributary } from '@tributary/client';
import { sleep } from '@tributary/process-kit';
import { recordValue, waitForCondition } from '../measure';
import type { LatencySummary, ResultRow } from '../results';
import { createReplicatedTopic, createTopic, REPLICATION_UNAVAILABLE } from '../tributary/replication';
import { LATENCY_CONSUMER, LATENCY_PRODUCER } from '../tributary/settings';
import { PRODUCE_PARTITIONS } from './produce-rf1';
import { RF3_GUARANTEE } from './produce-rf3';
import { round, skippedRow, step, stepLabel } from './step';
import type { Scenario, ScenarioContext } from './types';

export const DEFAULT_RATES = [1_000, 10_000, 50_000];
const QUICK_RATES = [1_000];
/** a rate is attempted only when the measured produce peak has this much headroom (the consumer shares the CPU) */
const PEAK_HEADROOM = 1.5;
/** a run that delivered less than this share of its offered rate did not reach it */
const REACHED_SHARE = 0.95;
/** the first part of each run is not recorded: connections, JIT and the first segment files settle */
const WARMUP_SHARE = 0.2;
const DRAIN_TIMEOUT_MS = 10_000;

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
 * in every row. Latency is measured from each record's scheduled send time, so a producer
 * that falls behind shows up as latency instead of silently sending less (coordinated
 * omission).
 */
export const latencyScenario: Scenario = {
  id: 'latency',
  title: '4. End-to-end latency (send → receive) at fixed rates, HDR p50/p99/p99.9',
  steps: (o) => o.messageSizes.length * latencyRates(o.quick).length,
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
              return measureLatency(ctx, client, { topic, acks: mode.acks, size, rate, durationMs: ctx.options.durationSeconds * 1000, progress });
            }),
          );
        }
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
      await cluster.stop();
    }
    return rows;
  },
};

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

interface LatencyRun {
  topic: string;
  acks: AcksOption;
  size: number;
  rate: number;
  durationMs: number;
  progress: (fraction: number) => void;
}

async function measureLatency(ctx: ScenarioContext, client: Tributary, run: LatencyRun): Promise<Partial<ResultRow>> {
  // microseconds, up to two minutes: a stalled run still records rather than throws
  const newHistogram = () => buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  const histogram = newHistogram();
  // send → ack, beside send → receive: tells the producer path's share of the latency from the consumer's
  const ackHistogram = newHistogram();
  const template = recordValue(run.size);
  const consumer = client.consumer(LATENCY_CONSUMER);
  const producer = client.producer({ acks: run.acks, ...LATENCY_PRODUCER });
  let received = 0;
  let lastReceiveAt = 0;
  let recordFrom = Infinity;
  try {
    await consumer.connect();
    consumer.assign(Array.from({ length: PRODUCE_PARTITIONS }, (_, partition) => ({ topic: run.topic, partition, offset: 0 })));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const m of batch.messages) {
          if (!m.value || m.value.length < 8) continue;
          const scheduledAt = m.value.readDoubleLE(0);
          if (scheduledAt >= recordFrom) histogram.recordValue(Math.max(1, Math.round((now - scheduledAt) * 1000)));
        }
        received += batch.messages.length;
        lastReceiveAt = now;
      },
    });
    await producer.connect();
    // one record through the whole path first, so metadata and connections exist before the clock starts
    await producer.send({ topic: run.topic, messages: [{ value: stamped(template, performance.now()) }] });
    await waitForCondition(() => received >= 1, DRAIN_TIMEOUT_MS);
    const warmup = received;

    const total = Math.max(1, Math.round((run.rate * run.durationMs) / 1000));
    const start = performance.now();
    recordFrom = start + run.durationMs * WARMUP_SHARE;
    const hardStop = start + run.durationMs * 3 + DRAIN_TIMEOUT_MS;
    let sent = 0;
    let acked = 0;
    let sendError: unknown = null;
    const maxTicks = Math.ceil(run.durationMs) * 4 + 1000;
    for (let tick = 0; tick < maxTicks && sent < total && performance.now() < hardStop && sendError === null; tick++) {
      const due = Math.min(total, Math.floor(((performance.now() - start) * run.rate) / 1000));
      if (due > sent) {
        const messages: Message[] = [];
        const firstScheduled = start + (sent * 1000) / run.rate;
        for (let i = sent; i < due; i++) messages.push({ value: stamped(template, start + (i * 1000) / run.rate) });
        const n = due - sent;
        sent = due;
        producer.send({ topic: run.topic, messages }).then(
          () => {
            acked += n;
            const now = performance.now();
            for (let i = 0; i < n; i++) {
              const scheduledAt = firstScheduled + (i * 1000) / run.rate;
              if (scheduledAt >= recordFrom) ackHistogram.recordValue(Math.max(1, Math.round((now - scheduledAt) * 1000)));
            }
          },
          (err: unknown) => (sendError ??= err),
        );
        run.progress(sent / total);
      }
      // unacknowledged records beyond two seconds' worth: this rate is out of reach, stop piling on
      if (sent - acked > run.rate * 2) break;
      await sleep(1);
    }
    if (sendError !== null) throw sendError instanceof Error ? sendError : new Error(inspect(sendError));
    const drained = await waitForCondition(() => received - warmup >= sent, DRAIN_TIMEOUT_MS, 2);
    const delivered = received - warmup;
    const elapsed = (Math.max(lastReceiveAt, start) - start) / 1000;
    const achieved = elapsed > 0 ? delivered / elapsed : 0;
    const reached = drained && sent >= total && achieved >= run.rate * REACHED_SHARE;
    const latency: LatencySummary = {
      p50: us(histogram.getValueAtPercentile(50)),
      p99: us(histogram.getValueAtPercentile(99)),
      p999: us(histogram.getValueAtPercentile(99.9)),
      max: us(histogram.maxValue),
      count: histogram.totalCount,
    };
    const fields: Partial<ResultRow> = {
      records: delivered,
      seconds: round(elapsed, 3),
      recordsPerSec: Math.round(achieved),
      latency,
      metrics: {
        ackP50Ms: us(ackHistogram.getValueAtPercentile(50)),
        ackP99Ms: us(ackHistogram.getValueAtPercentile(99)),
        ackP999Ms: us(ackHistogram.getValueAtPercentile(99.9)),
      },
    };
    if (!reached) {
      ctx.note(`  latency ${run.size} B @ ${run.rate}/s: not reached (delivered ${Math.round(achieved)} records/s)`);
      return {
        ...fields,
        status: 'skipped',
        note: `skipped: the machine did not reach this rate (delivered ${Math.round(achieved)} records/s of ${run.rate}); percentiles shown are of an overloaded run`,
      };
    }
    return fields;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
  }
}

/** A copy of the template with its scheduled send time (performance.now(), ms) in the first 8 bytes. */
function stamped(template: Buffer, scheduledAt: number): Buffer {
  const value = Buffer.allocUnsafe(template.length);
  template.copy(value);
  value.writeDoubleLE(scheduledAt, 0);
  return value;
}

const us = (microseconds: number): number => round(microseconds / 1000, 2);
