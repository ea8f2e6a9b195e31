import { performance } from 'perf_hooks';
import { inspect } from 'util';
import { build as buildHistogram } from 'hdr-histogram-js';
import { sleep } from '@tributary/process-kit';
import { waitForCondition } from '../measure';
import type { LatencySummary, ResultRow } from '../results';
import { round } from './step';
import type { ScenarioContext } from './types';

/** a run that delivered less than this share of its offered rate did not reach it */
const REACHED_SHARE = 0.95;
/** the first part of each run is not recorded: connections, JIT and the first segment files settle */
const WARMUP_SHARE = 0.2;
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * One system under a fixed-rate latency run: the same driver measures Tributary and its
 * peers, so their percentiles are comparable. Values carry their scheduled send time
 * (performance.now(), ms, little-endian double) in the first 8 bytes.
 */
export interface LatencyTarget {
  /** starts delivering received values to `deliver` */
  start(deliver: (values: Iterable<Buffer | null>) => void): Promise<void>;
  /** sends these values; resolves when the system acknowledged all of them */
  send(values: Buffer[]): Promise<void>;
  stop(): Promise<void>;
}

export interface FixedRateRun {
  size: number;
  rate: number;
  durationMs: number;
  /** names the run in the console when it falls short */
  label: string;
  progress: (fraction: number) => void;
}

/**
 * Offers `rate` records/s for `durationMs` and records send → receive (and send → ack) per
 * record in HDR histograms. Latency is measured from each record's scheduled send time, so
 * a sender that falls behind shows up as latency instead of silently sending less
 * (coordinated omission).
 */
export async function measureFixedRate(ctx: ScenarioContext, target: LatencyTarget, run: FixedRateRun, template: Buffer): Promise<Partial<ResultRow>> {
  // microseconds, up to two minutes: a stalled run still records rather than throws
  const newHistogram = () => buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  const histogram = newHistogram();
  // send → ack, beside send → receive: tells the producer path's share of the latency from the consumer's
  const ackHistogram = newHistogram();
  let received = 0;
  let lastReceiveAt = 0;
  let recordFrom = Infinity;
  try {
    await target.start((values) => {
      const now = performance.now();
      for (const v of values) {
        received++;
        if (!v || v.length < 8) continue;
        const scheduledAt = v.readDoubleLE(0);
        if (scheduledAt >= recordFrom) histogram.recordValue(Math.max(1, Math.round((now - scheduledAt) * 1000)));
      }
      lastReceiveAt = now;
    });
    // one record through the whole path first, so metadata and connections exist before the clock starts
    await target.send([stamped(template, performance.now())]);
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
        const values: Buffer[] = [];
        const firstScheduled = start + (sent * 1000) / run.rate;
        for (let i = sent; i < due; i++) values.push(stamped(template, start + (i * 1000) / run.rate));
        const n = due - sent;
        sent = due;
        target.send(values).then(
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
      p50: ms(histogram.getValueAtPercentile(50)),
      p99: ms(histogram.getValueAtPercentile(99)),
      p999: ms(histogram.getValueAtPercentile(99.9)),
      max: ms(histogram.maxValue),
      count: histogram.totalCount,
    };
    const fields: Partial<ResultRow> = {
      records: delivered,
      seconds: round(elapsed, 3),
      recordsPerSec: Math.round(achieved),
      latency,
      metrics: {
        ackP50Ms: ms(ackHistogram.getValueAtPercentile(50)),
        ackP99Ms: ms(ackHistogram.getValueAtPercentile(99)),
        ackP999Ms: ms(ackHistogram.getValueAtPercentile(99.9)),
      },
    };
    if (!reached) {
      ctx.note(`  ${run.label}: not reached (delivered ${Math.round(achieved)} records/s)`);
      return {
        ...fields,
        status: 'skipped',
        note: `skipped: the machine did not reach this rate (delivered ${Math.round(achieved)} records/s of ${run.rate}); percentiles shown are of an overloaded run`,
      };
    }
    return fields;
  } finally {
    await target.stop();
  }
}

/** A copy of the template with its scheduled send time (performance.now(), ms) in the first 8 bytes. */
function stamped(template: Buffer, scheduledAt: number): Buffer {
  const value = Buffer.allocUnsafe(template.length);
  template.copy(value);
  value.writeDoubleLE(scheduledAt, 0);
  return value;
}

const ms = (microseconds: number): number => round(microseconds / 1000, 2);
