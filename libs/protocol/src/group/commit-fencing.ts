import { TributaryError } from '../errors';
import type { CommitOffsetsRequest, GroupTopicPartitions } from '../wire/group-messages';

/** What the commit rules need to know of a member: the partitions it owns in the current generation. */
export interface FencedMember {
  assignment: readonly GroupTopicPartitions[];
  /** cooperative-sticky: partitions it held before and still may commit until it rejoins */
  revoking?: readonly GroupTopicPartitions[];
}

/** What the commit rules need to know of a group. */
export interface FenceView {
  generationId: number;
  members: ReadonlyMap<string, FencedMember>;
}

const key = (topic: string, partition: number): string => `${topic}:${partition}`;

function keys(list: readonly GroupTopicPartitions[] | undefined): Set<string> {
  return new Set((list ?? []).flatMap((t) => t.partitions.map((p) => key(t.topic, p))));
}

/**
 * The offset-commit rules, checked on the coordinator actor's view for a precise message (the
 * SDK's fake broker applies them too); the broker's Lua script that writes the offsets applies
 * the same rules again against Redis, atomically with the write.
 * A commit from outside the group ('' / -1, Kafka's simple consumer) is only for a group with no
 * members: a member that lost its identity must not slip past the checks that way.
 */
export function checkCommit(group: FenceView, req: CommitOffsetsRequest): void {
  if (req.memberId === '' && req.generationId === -1) {
    if (group.members.size > 0) throw TributaryError.of('UNKNOWN_MEMBER_ID', `group '${req.groupId}' has members: a commit without a member id is refused`);
    return;
  }
  const member = group.members.get(req.memberId);
  if (!member) throw TributaryError.of('UNKNOWN_MEMBER_ID', `member '${req.memberId}' is not in group '${req.groupId}'`);
  if (req.generationId !== group.generationId)
    throw TributaryError.of('ILLEGAL_GENERATION', `generation ${req.generationId} is not the current ${group.generationId}`);
  const owned = keys(member.assignment);
  for (const k of keys(member.revoking)) owned.add(k);
  const foreign = req.offsets.find((o) => !owned.has(key(o.topic, o.partition)));
  if (foreign) {
    throw TributaryError.of(
      'FENCED_MEMBER_EPOCH',
      `member '${req.memberId}' does not own ${foreign.topic}/${foreign.partition} in generation ${group.generationId}`,
    );
  }
}

/**
 * Partitions a member held before and loses in the new plan without anybody else getting them
 * (cooperative-sticky withholds moving partitions for a generation): until it rejoins, the old
 * owner may still commit them, which is how its final position on revocation gets stored.
 */
export function revokingPartitions(
  before: readonly GroupTopicPartitions[],
  after: readonly GroupTopicPartitions[],
  plan: ReadonlyMap<string, readonly GroupTopicPartitions[]>,
): GroupTopicPartitions[] {
  const kept = keys(after);
  const assigned = new Set([...plan.values()].flatMap((tps) => [...keys(tps)]));
  const out: GroupTopicPartitions[] = [];
  for (const t of before) {
    const partitions = t.partitions.filter((p) => !kept.has(key(t.topic, p)) && !assigned.has(key(t.topic, p)));
    if (partitions.length > 0) out.push({ topic: t.topic, partitions });
  }
  return out;
}
