import type { AssignorName, GroupTopicPartitions } from '../wire/group-messages';

export interface AssignorMember {
  memberId: string;
  topics: readonly string[];
  /** what the member held in the previous generation (sticky assignors keep it) */
  owned: readonly GroupTopicPartitions[];
}

export interface AssignorInput {
  /** in join order; ties go to the earlier member */
  members: readonly AssignorMember[];
  /** partition count of each subscribed topic that exists */
  partitionCounts: ReadonlyMap<string, number>;
}

/** memberId -> partitions; every member of the input has an entry, possibly empty. */
export type AssignmentPlan = Map<string, GroupTopicPartitions[]>;

export type Assignor = (input: AssignorInput) => AssignmentPlan;

export interface TP {
  topic: string;
  partition: number;
}

export function tpKey(tp: TP): string {
  return `${tp.topic}:${tp.partition}`;
}

/** Folds a flat list into the wire shape, topics and partitions sorted, so plans compare equal. */
export function toTopicPartitions(tps: readonly TP[]): GroupTopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic.keys()].sort().map((topic) => ({ topic, partitions: (byTopic.get(topic) ?? []).sort((a, b) => a - b) }));
}

export function flatten(tps: readonly GroupTopicPartitions[]): TP[] {
  return tps.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
}

export function allPartitions(input: AssignorInput): TP[] {
  const topics = [...new Set(input.members.flatMap((m) => m.topics))].filter((t) => input.partitionCounts.has(t)).sort();
  return topics.flatMap((topic) => Array.from({ length: input.partitionCounts.get(topic) ?? 0 }, (_, partition) => ({ topic, partition })));
}

export type { AssignorName };
