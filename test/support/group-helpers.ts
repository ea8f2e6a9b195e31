import type { Consumer, ConsumerOptions, GroupJoinEvent, Tributary } from '@tributary/client';
import { waitFor } from './free-port';

/** Settings that make rebalances and failure detection fast enough for tests. */
export const FAST_GROUP: ConsumerOptions = {
  sessionTimeoutMs: 3000,
  heartbeatIntervalMs: 300,
  rebalanceTimeoutMs: 6000,
  autoCommitIntervalMs: 200,
  maxWaitMs: 100,
};

export const FAST_BROKER_ENV = { BROKER_SESSION_TIMEOUT_MS: '2000', METADATA_REFRESH_MS: '500' };

export interface Member {
  consumer: Consumer;
  joins: GroupJoinEvent[];
  /** "partition:offset" of every record handled */
  seen: string[];
}

export async function startMember(
  client: Tributary,
  groupId: string,
  topic: string,
  options: ConsumerOptions = {},
  handle: (partition: number, offset: number) => Promise<void> = async () => undefined,
): Promise<Member> {
  const consumer = client.consumer({ ...FAST_GROUP, ...options, groupId });
  const member: Member = { consumer, joins: [], seen: [] };
  consumer.on('group.join', (e) => member.joins.push(e));
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      await handle(partition, message.offset);
      member.seen.push(`${partition}:${message.offset}`);
    },
  });
  return member;
}

/** Waits until the members' latest generations agree and every partition has exactly one owner. */
export async function waitForBalanced(members: Member[], partitions: number, timeoutMs = 30_000): Promise<number[][]> {
  let owned: number[][] = [];
  await waitFor(
    `${members.length} members to share ${partitions} partitions`,
    async () => {
      const last = members.map((m) => m.joins[m.joins.length - 1]);
      if (last.some((j) => j === undefined)) return false;
      const gens = new Set(last.map((j) => j.generationId));
      if (gens.size !== 1) return false;
      owned = members.map((m) =>
        m.consumer
          .assignment()
          .map((tp) => tp.partition)
          .sort((a, b) => a - b),
      );
      const all = owned.flat();
      const declared = last.flatMap((j) => j.assignment.map((tp) => tp.partition));
      return all.length === partitions && new Set(all).size === partitions && declared.length === partitions;
    },
    timeoutMs,
    50,
  );
  return owned;
}

/** No partition in two members' assignments of the same generation, across everything seen. */
export function assertNoSharedPartitions(members: Member[]): void {
  const owners = new Map<string, string>();
  for (const m of members) {
    for (const j of m.joins) {
      for (const tp of j.assignment) {
        const k = `${j.generationId}:${tp.topic}:${tp.partition}`;
        const other = owners.get(k);
        if (other !== undefined && other !== j.memberId) throw new Error(`partition ${tp.partition} owned by two members in generation ${j.generationId}`);
        owners.set(k, j.memberId);
      }
    }
  }
}
