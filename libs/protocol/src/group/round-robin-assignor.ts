import { allPartitions, toTopicPartitions, type AssignmentPlan, type AssignorInput, type TP } from './assignor';

/** Kafka's RoundRobinAssignor: every partition in order, dealt to the next member subscribed to its topic. */
export function roundRobinAssign(input: AssignorInput): AssignmentPlan {
  const members = [...input.members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  const out = new Map<string, TP[]>(members.map((m) => [m.memberId, []]));
  let cursor = 0;
  for (const tp of allPartitions(input)) {
    // bounded: at most one full turn of the members to find a subscriber
    for (let step = 0; step < members.length; step++) {
      const m = members[(cursor + step) % members.length];
      if (!m.topics.includes(tp.topic)) continue;
      out.get(m.memberId)?.push(tp);
      cursor = (cursor + step + 1) % members.length;
      break;
    }
  }
  return new Map([...out].map(([id, tps]) => [id, toTopicPartitions(tps)]));
}
