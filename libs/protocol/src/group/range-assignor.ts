import { allPartitions, toTopicPartitions, type AssignmentPlan, type AssignorInput, type TP } from './assignor';

/** Kafka's RangeAssignor: per topic, consecutive ranges to the subscribed members sorted by id. */
export function rangeAssign(input: AssignorInput): AssignmentPlan {
  const out = new Map<string, TP[]>(input.members.map((m) => [m.memberId, []]));
  const byTopic = new Map<string, TP[]>();
  for (const tp of allPartitions(input)) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp]);
  for (const [topic, tps] of byTopic) {
    const members = input.members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort();
    if (members.length === 0) continue;
    const per = Math.floor(tps.length / members.length);
    const extra = tps.length % members.length;
    let next = 0;
    members.forEach((id, i) => {
      const n = per + (i < extra ? 1 : 0);
      out.get(id)?.push(...tps.slice(next, next + n));
      next += n;
    });
  }
  return new Map([...out].map(([id, tps]) => [id, toTopicPartitions(tps)]));
}
