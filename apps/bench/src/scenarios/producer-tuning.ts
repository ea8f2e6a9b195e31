import type { Admin, Tributary } from '@tributary/client';
import { recordValue, warmupCount } from '../measure';
import { RUN_TIME_CAP_MS } from '../options';
import type { ResultRow } from '../results';
import { createReplicatedTopic, createTopic, REPLICATION_UNAVAILABLE } from '../tributary/replication';
import { RECORDS_PER_SEND, SENDS_IN_FLIGHT, THROUGHPUT_PRODUCER } from '../tributary/settings';
import { produceRecords } from '../tributary/workloads';
import { PRODUCE_PARTITIONS, RF1_GUARANTEE } from './produce-rf1';
import { RF3_GUARANTEE } from './produce-rf3';
import { progressOf, step, stepLabel, throughputFields } from './step';
import type { Scenario, ScenarioContext } from './types';

interface Candidate {
  lingerMs: number;
  batchSize: number;
  maxRequestSize: number;
  recordsPerSend: number;
  sendsInFlight: number;
}

/**
 * A small, deliberate grid around the choice in tributary/settings.ts (not a blind sweep).
 * batchSize stops at 1,000,000: a topic's default max.message.bytes (1,048,588) refuses
 * larger batches, and the bench uses topic defaults as users would.
 */
export const CANDIDATES: Candidate[] = [
  { lingerMs: 5, batchSize: 16_384, maxRequestSize: 1_000_000, recordsPerSend: 1_000, sendsInFlight: 8 },
  { lingerMs: 5, batchSize: 262_144, maxRequestSize: 1_000_000, recordsPerSend: 1_000, sendsInFlight: 8 },
  { lingerMs: 5, batchSize: 262_144, maxRequestSize: 4_000_000, recordsPerSend: 5_000, sendsInFlight: 8 },
  { lingerMs: 0, batchSize: 1_000_000, maxRequestSize: 4_000_000, recordsPerSend: 5_000, sendsInFlight: 8 },
  { ...THROUGHPUT_PRODUCER, recordsPerSend: RECORDS_PER_SEND, sendsInFlight: 1 },
  { ...THROUGHPUT_PRODUCER, recordsPerSend: RECORDS_PER_SEND, sendsInFlight: SENDS_IN_FLIGHT },
  { ...THROUGHPUT_PRODUCER, recordsPerSend: 20_000, sendsInFlight: 4 },
];

const MODES = [
  { acks: 1 as const, guarantee: RF1_GUARANTEE, replicated: false },
  { acks: 'all' as const, guarantee: RF3_GUARANTEE, replicated: true },
];
type Mode = (typeof MODES)[number];

export function describeCandidate(c: Candidate): string {
  return `lingerMs ${c.lingerMs}, batchSize ${c.batchSize}, maxRequestSize ${c.maxRequestSize}, ${c.recordsPerSend}/send × ${c.sendsInFlight} in flight`;
}

/** Optional scenario 'tune': the producer settings the throughput rows use, measured against alternatives. */
export const producerTuningScenario: Scenario = {
  id: 'tune',
  title: 'Producer settings sweep: RF=1 acks=1 and RF=3 acks=all, 6 partitions, 3 brokers',
  steps: (o) => o.messageSizes.length * CANDIDATES.length * MODES.length,
  async run(ctx) {
    const rows: ResultRow[] = [];
    const cluster = await ctx.env.startCluster('tune');
    const client = cluster.client();
    const admin = client.admin();
    try {
      for (const size of ctx.options.messageSizes) {
        for (const mode of MODES) {
          for (const [i, c] of CANDIDATES.entries()) rows.push(await tryCandidate(ctx, client, admin, size, mode, c, `tune-${size}-${String(mode.acks)}-${i}`));
        }
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
      await cluster.stop();
    }
    return rows;
  },
};

async function tryCandidate(ctx: ScenarioContext, client: Tributary, admin: Admin, size: number, mode: Mode, c: Candidate, topic: string): Promise<ResultRow> {
  const variant = `acks=${String(mode.acks)}, ${describeCandidate(c)}`;
  const total = ctx.options.records;
  return step(
    ctx,
    stepLabel('tune', size, variant),
    { scenario: 'tune', system: 'Tributary', variant, guarantee: mode.guarantee, recordSize: size },
    async (progress) => {
      if (!mode.replicated) await createTopic(admin, topic, PRODUCE_PARTITIONS);
      else {
        const created = await createReplicatedTopic(admin, topic, PRODUCE_PARTITIONS);
        if (!created.available) return { status: 'skipped', note: `${REPLICATION_UNAVAILABLE} (${created.reason})` };
      }
      const producer = client.producer({ acks: mode.acks, lingerMs: c.lingerMs, batchSize: c.batchSize, maxRequestSize: c.maxRequestSize });
      try {
        const run = { topic, value: recordValue(size), recordsPerSend: c.recordsPerSend, sendsInFlight: c.sendsInFlight, timeCapMs: RUN_TIME_CAP_MS };
        await produceRecords(producer, { ...run, total: warmupCount(total) });
        return throughputFields(await produceRecords(producer, { ...run, total, onProgress: progressOf(total, progress) }), size);
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    },
  );
}
