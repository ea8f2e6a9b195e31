import { allPartitions, flatten, toTopicPartitions, tpKey, type AssignmentPlan, type AssignorInput, type TP } from './assignor';

/**
 * Sticky and balanced: every member keeps what it owned up to its fair share, and only the
 * surplus and unowned partitions move, to the least loaded subscribers.
 */
export function stickyAssign(input: AssignorInput): AssignmentPlan {
  const partitions = allPartitions(input);
  const valid = new Set(partitions.map(tpKey));
  const members = input.members;
  const out = new Map<string, TP[]>(members.map((m) => [m.memberId, []]));
  if (members.length === 0) return new Map();
  const base = Math.floor(partitions.length / members.length);
  let bigSlots = partitions.length % members.length;
  const taken = new Set<string>();
  // Members that already own more get the "base + 1" slots first, so fewer partitions move.
  const byOwned = [...members].sort((a, b) => flatten(b.owned).length - flatten(a.owned).length);
  for (const m of byOwned) {
    let quota = base;
    const owned = flatten(m.owned).filter((tp) => valid.has(tpKey(tp)) && m.topics.includes(tp.topic) && !taken.has(tpKey(tp)));
    if (owned.length > base && bigSlots > 0) {
      quota = base + 1;
      bigSlots--;
    }
    for (const tp of owned.slice(0, quota)) {
      out.get(m.memberId)?.push(tp);
      taken.add(tpKey(tp));
    }
  }
  for (const tp of partitions) {
    if (taken.has(tpKey(tp))) continue;
    const candidates = members.filter((m) => m.topics.includes(tp.topic));
    if (candidates.length === 0) continue;
    // least loaded first; a member may reach base + 1 only while such slots remain
    candidates.sort((a, b) => (out.get(a.memberId)?.length ?? 0) - (out.get(b.memberId)?.length ?? 0));
    const target = candidates[0];
    out.get(target.memberId)?.push(tp);
    taken.add(tpKey(tp));
  }
  return new Map([...out].map(([id, tps]) => [id, toTopicPartitions(tps)]));
}

/**
 * KIP-429's first phase: a partition moving from one present member to another goes to nobody
 * in this generation. Its old owner revokes it (commits, stops) and rejoins; the next
 * generation hands it over, so no partition is ever read by two members at once.
 */
export function withholdMoving(plan: AssignmentPlan, input: AssignorInput): { plan: AssignmentPlan; withheld: number } {
  const ownerOf = new Map<string, string>();
  for (const m of input.members) for (const tp of flatten(m.owned)) ownerOf.set(tpKey(tp), m.memberId);
  let withheld = 0;
  const next: AssignmentPlan = new Map();
  for (const [memberId, tps] of plan) {
    const keep = flatten(tps).filter((tp) => {
      const owner = ownerOf.get(tpKey(tp));
      const moving = owner !== undefined && owner !== memberId;
      if (moving) withheld++;
      return !moving;
    });
    next.set(memberId, toTopicPartitions(keep));
  }
  return { plan: next, withheld };
}
