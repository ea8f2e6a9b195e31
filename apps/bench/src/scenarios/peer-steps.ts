import { recordValue, warmupCount } from '../measure';
import { RUN_TIME_CAP_MS } from '../options';
import { jetStreamGuarantee, JetStreamPeer, PUBLISHES_IN_FLIGHT, RECORDS_PER_PACKED_MESSAGE } from '../peers/nats-jetstream';
import { PIPELINES_IN_FLIGHT, REDIS_GUARANTEE, RedisStreamsPeer, XADD_PER_PIPELINE, XREAD_COUNT } from '../peers/redis-streams';
import type { ResultRow } from '../results';
import { progressOf, skippedRow, step, stepLabel, throughputFields } from './step';
import type { ScenarioContext } from './types';

let runSeq = 0;
const uniqueName = (prefix: string): string => `${prefix}_${process.pid}_${++runSeq}`;

/** Pipelined XADD of the same records, warmed up on a throwaway stream first. */
export async function redisProduceStep(ctx: ScenarioContext, scenario: string, size: number, value: Buffer): Promise<ResultRow> {
  const peer = new RedisStreamsPeer(ctx.env.redis);
  const total = ctx.options.records;
  return step(
    ctx,
    stepLabel(scenario, size, 'Redis Streams XADD'),
    {
      scenario,
      system: 'Redis Streams',
      variant: `XADD pipelined (${XADD_PER_PIPELINE}/pipeline, ${PIPELINES_IN_FLIGHT} in flight), 1 stream`,
      guarantee: REDIS_GUARANTEE,
      recordSize: size,
    },
    async (progress) => {
      const warm = uniqueName('warm');
      await peer.produce({ stream: warm, value, total: warmupCount(total), timeCapMs: RUN_TIME_CAP_MS });
      await peer.deleteStream(warm);
      const stream = uniqueName('produce');
      const result = await peer.produce({ stream, value, total, timeCapMs: RUN_TIME_CAP_MS, onProgress: progressOf(total, progress) });
      await peer.deleteStream(stream);
      return throughputFields(result, size);
    },
  );
}

/** JetStream publishes at R1 or R3: one record per message, and 100 records packed per message. */
export async function natsProduceSteps(ctx: ScenarioContext, scenario: string, replicas: 1 | 3, size: number, value: Buffer): Promise<ResultRow[]> {
  const variants = [
    { perMessage: 1, variant: `R${replicas}, 1 record/message, ${PUBLISHES_IN_FLIGHT} publishes in flight` },
    { perMessage: RECORDS_PER_PACKED_MESSAGE, variant: `R${replicas}, ${RECORDS_PER_PACKED_MESSAGE} records packed/message` },
  ];
  const base = (variant: string): Omit<ResultRow, 'status'> => ({
    scenario,
    system: 'NATS JetStream',
    variant,
    guarantee: jetStreamGuarantee(replicas),
    recordSize: size,
  });
  const servers = replicas === 1 ? ctx.env.natsSingle() : ctx.env.natsCluster();
  if (!servers) return variants.map((v) => skippedRow(base(v.variant), ctx.env.natsUnavailable ?? 'skipped: no nats-server'));
  const total = ctx.options.records;
  const rows: ResultRow[] = [];
  for (const v of variants) {
    rows.push(
      await step(ctx, stepLabel(scenario, size, `NATS JetStream ${v.variant}`), base(v.variant), async (progress) => {
        const peer = new JetStreamPeer(await servers, replicas);
        await peer.produce({ name: uniqueName('WARM'), value, total: warmupCount(total), recordsPerMessage: v.perMessage, timeCapMs: RUN_TIME_CAP_MS });
        const result = await peer.produce({
          name: uniqueName('BENCH'),
          value,
          total,
          recordsPerMessage: v.perMessage,
          timeCapMs: RUN_TIME_CAP_MS,
          onProgress: progressOf(total, progress),
        });
        return throughputFields(result, size);
      }),
    );
  }
  return rows;
}

/** Fills a stream (untimed), then reads it with XREAD and with a group of three XREADGROUP members. */
export async function redisConsumeSteps(ctx: ScenarioContext, scenario: string, size: number, groupMembers: number): Promise<ResultRow[]> {
  const peer = new RedisStreamsPeer(ctx.env.redis);
  const total = ctx.options.records;
  const stream = uniqueName('consume');
  const value = recordValue(size);
  const rows: ResultRow[] = [];
  const xread: Omit<ResultRow, 'status'> = {
    scenario,
    system: 'Redis Streams',
    variant: `XREAD COUNT ${XREAD_COUNT}, 1 reader`,
    guarantee: `${REDIS_GUARANTEE}; reads from memory`,
    recordSize: size,
  };
  const group: Omit<ResultRow, 'status'> = {
    scenario,
    system: 'Redis Streams',
    variant: `XREADGROUP COUNT ${XREAD_COUNT}, group of ${groupMembers}, XACK per chunk`,
    guarantee: `${REDIS_GUARANTEE}; acked in the group's PEL`,
    recordSize: size,
  };
  ctx.progress.begin(stepLabel(scenario, size, 'Redis Streams fill (untimed)'));
  try {
    const filled = await peer.produce({ stream, value, total, timeCapMs: RUN_TIME_CAP_MS * 2 });
    if (filled.records < total) throw new Error(`filled only ${filled.records} of ${total} records`);
  } catch (err) {
    const why = `failed: could not fill the stream: ${err instanceof Error ? err.message : String(err)}`;
    return [
      { ...xread, status: 'failed', note: why },
      { ...group, status: 'failed', note: why },
    ];
  } finally {
    ctx.progress.end();
  }
  try {
    rows.push(
      await step(ctx, stepLabel(scenario, size, 'Redis Streams XREAD'), xread, async (progress) =>
        throughputFields(await peer.consumeXread(stream, total, RUN_TIME_CAP_MS, progressOf(total, progress)), size),
      ),
    );
    rows.push(
      await step(ctx, stepLabel(scenario, size, 'Redis Streams XREADGROUP'), group, async (progress) =>
        throughputFields(await peer.consumeGroup(stream, total, groupMembers, RUN_TIME_CAP_MS, progressOf(total, progress)), size),
      ),
    );
  } finally {
    await peer.deleteStream(stream).catch(() => undefined);
  }
  return rows;
}
