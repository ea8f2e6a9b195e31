import type { Tributary } from '@tributary/client';
import { recordValue, type ThroughputResult } from '../measure';
import { RUN_TIME_CAP_MS } from '../options';
import type { ResultRow } from '../results';
import { readAsGroup } from '../tributary/groups';
import { createTopic } from '../tributary/replication';
import { THROUGHPUT_CONSUMER, THROUGHPUT_PRODUCER } from '../tributary/settings';
import { consumeFromStart, produceRecords } from '../tributary/workloads';
import { redisConsumeSteps } from './peer-steps';
import { PRODUCE_PARTITIONS } from './produce-rf1';
import { progressOf, step, stepLabel, throughputFields } from './step';
import type { Scenario, ScenarioContext } from './types';

const GROUP_MEMBERS = 3;
const CONSUME_GUARANTEE = 'RF=1; reads records below the high watermark from the leader logs';

/**
 * Scenario 3: reading a full topic from offset 0, by one consumer with every partition
 * assigned, and by a group of three (once groups exist; the row skips until then).
 */
export const consumeScenario: Scenario = {
  id: 'consume',
  title: `3. Consume throughput from the start of a topic: one consumer, and a group of ${GROUP_MEMBERS}`,
  steps: (o) => o.messageSizes.length * (2 + 1 + 3),
  async run(ctx) {
    const rows: ResultRow[] = [];
    const cluster = await ctx.env.startCluster('consume');
    const client = cluster.client();
    const admin = client.admin();
    try {
      for (const size of ctx.options.messageSizes) {
        rows.push(...(await tributaryConsumeSteps(ctx, client, admin, size)));
        rows.push(...(await redisConsumeSteps(ctx, 'consume', size, GROUP_MEMBERS)));
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
      await cluster.stop();
    }
    return rows;
  },
};

async function tributaryConsumeSteps(ctx: ScenarioContext, client: Tributary, admin: ReturnType<Tributary['admin']>, size: number): Promise<ResultRow[]> {
  const total = ctx.options.records;
  const topic = `consume-${size}`;
  const single: Omit<ResultRow, 'status'> = {
    scenario: 'consume',
    system: 'Tributary',
    variant: `1 consumer, all ${PRODUCE_PARTITIONS} partitions assigned, from offset 0`,
    guarantee: CONSUME_GUARANTEE,
    recordSize: size,
  };
  const group: Omit<ResultRow, 'status'> = {
    scenario: 'consume',
    system: 'Tributary',
    variant: `group of ${GROUP_MEMBERS}, subscribe fromBeginning (join time included)`,
    guarantee: CONSUME_GUARANTEE,
    recordSize: size,
  };
  ctx.progress.begin(stepLabel('consume', size, 'Tributary fill (untimed)'));
  try {
    await createTopic(admin, topic, PRODUCE_PARTITIONS);
    const producer = client.producer({ acks: 1, ...THROUGHPUT_PRODUCER });
    try {
      const filled = await produceRecords(producer, { topic, value: recordValue(size), total, timeCapMs: RUN_TIME_CAP_MS * 2 });
      if (filled.records < total) throw new Error(`filled only ${filled.records} of ${total} records`);
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  } catch (err) {
    const why = `failed: could not fill the topic: ${err instanceof Error ? err.message : String(err)}`;
    return [
      { ...single, status: 'failed', note: why },
      { ...group, status: 'failed', note: why },
    ];
  } finally {
    ctx.progress.end();
  }
  const rows = [
    await step(ctx, stepLabel('consume', size, 'Tributary, 1 consumer'), single, async (progress) =>
      throughputFields(
        await consumeFromStart(client, { topic, partitions: PRODUCE_PARTITIONS, total, timeCapMs: RUN_TIME_CAP_MS, onProgress: progressOf(total, progress) }),
        size,
      ),
    ),
  ];
  rows.push(
    await step(ctx, stepLabel('consume', size, `Tributary, group of ${GROUP_MEMBERS}`), group, async (progress) =>
      throughputFields(await consumeWithGroup(client, topic, total, GROUP_MEMBERS, progressOf(total, progress)), size),
    ),
  );
  return rows;
}

/** Three members of a fresh group read the topic from the beginning; timed from the first subscribe. */
async function consumeWithGroup(
  client: Tributary,
  topic: string,
  total: number,
  members: number,
  onProgress: (done: number) => void,
): Promise<ThroughputResult> {
  const groupId = `bench-${topic}-${process.pid}-${Date.now()}`;
  const read = await readAsGroup(client, groupId, topic, members, total, RUN_TIME_CAP_MS, THROUGHPUT_CONSUMER, (_batch, received) => onProgress(received));
  return { records: Math.min(read.received, total), seconds: read.seconds, capped: !read.complete };
}
