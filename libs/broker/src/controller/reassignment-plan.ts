import type { ClusterSnapshot, PartitionState } from '@tributary/coordination';
import { TributaryError, type PlannedMove } from '@tributary/protocol';

/** The replica set a partition returns to when its reassignment is cancelled: the current one without the replicas being added. */
export function originalReplicas(state: PartitionState): number[] {
  const adding = state.addingReplicas ?? [];
  return state.replicas.filter((r) => !adding.includes(r));
}

/** True while a reassignment of the partition runs. */
export function isReassigning(state: PartitionState): boolean {
  return state.addingReplicas !== undefined || state.removingReplicas !== undefined;
}

/** The replicas the partition will have once its reassignment completes. */
export function targetReplicas(state: PartitionState): number[] {
  const removing = state.removingReplicas ?? [];
  return state.replicas.filter((r) => !removing.includes(r));
}

/** Refuses a target a partition could never reach: every replica must be a live broker. */
export function checkTarget(target: readonly number[], liveBrokers: readonly number[]): void {
  const missing = target.filter((b) => !liveBrokers.includes(b));
  if (missing.length > 0) {
    throw TributaryError.of('INVALID_REPLICA_ASSIGNMENT', `broker(s) ${missing.join(', ')} are not live; live brokers: ${liveBrokers.join(', ') || 'none'}`);
  }
}

/**
 * Moves every replica off `brokerId`: each goes to the live broker holding the fewest
 * replicas (counting the moves planned so far, ties to the lower id) among those holding
 * none of that partition, in the leaving replica's position, so a leaving preferred leader
 * is replaced as preferred leader. Partitions are planned in topic, partition order, so the
 * same cluster gives the same plan.
 */
export function planDecommission(partitions: readonly PartitionState[], brokerId: number, liveBrokers: readonly number[]): PlannedMove[] {
  const others = liveBrokers.filter((b) => b !== brokerId);
  const load = new Map<number, number>(others.map((b) => [b, 0]));
  for (const p of partitions) for (const r of targetReplicas(p)) if (load.has(r)) load.set(r, (load.get(r) ?? 0) + 1);
  const moves: PlannedMove[] = [];
  const sorted = [...partitions].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  for (const p of sorted) {
    const from = targetReplicas(p);
    const at = from.indexOf(brokerId);
    if (at < 0) continue;
    const candidates = others.filter((b) => !from.includes(b)).sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || a - b);
    const chosen = candidates[0];
    if (chosen === undefined) {
      throw TributaryError.of(
        'INVALID_REPLICA_ASSIGNMENT',
        `cannot move ${p.topic}-${p.partition} off broker ${brokerId}: its ${from.length} replicas need ${from.length} brokers besides it, ${others.length} are live`,
      );
    }
    load.set(chosen, (load.get(chosen) ?? 0) + 1);
    const to = [...from];
    to[at] = chosen;
    moves.push({ topic: p.topic, partition: p.partition, from, to });
  }
  rebalanceMoves(moves, brokerId, load);
  return moves;
}

/**
 * Greedy placement in partition order can corner itself (the least loaded broker already
 * holds the partition at hand): moves a planned replica from a most loaded broker to a least
 * loaded one that holds none of that partition, while that narrows the spread.
 */
function rebalanceMoves(moves: PlannedMove[], leaving: number, load: Map<number, number>): void {
  for (let round = 0; round < moves.length * 4; round++) {
    const counts = [...load.values()];
    const max = Math.max(...counts);
    const min = Math.min(...counts);
    if (max - min <= 1) return;
    let improved = false;
    for (const m of moves) {
      const at = m.from.indexOf(leaving);
      const placed = m.to[at];
      if (load.get(placed) !== max) continue;
      const light = [...load.entries()].find(([b, n]) => n === min && !m.to.includes(b));
      if (!light) continue;
      m.to[at] = light[0];
      load.set(placed, max - 1);
      load.set(light[0], min + 1);
      improved = true;
      break;
    }
    if (!improved) return;
  }
}

/**
 * Kafka's auto leader rebalance rule: for each broker, the share of the partitions it is the
 * preferred (first) replica of that are led by another broker; when that share is above
 * `percentage`, the partitions it should lead and can (live, in the ISR, not leading) are
 * returned for a preferred leader election.
 */
export function imbalancedPartitions(partitions: readonly PartitionState[], liveBrokers: readonly number[], percentage: number): PartitionState[] {
  const byPreferred = new Map<number, PartitionState[]>();
  for (const p of partitions) {
    if (isReassigning(p) || p.replicas.length === 0) continue;
    const preferred = p.replicas[0];
    byPreferred.set(preferred, [...(byPreferred.get(preferred) ?? []), p]);
  }
  const out: PartitionState[] = [];
  for (const [broker, owned] of byPreferred) {
    if (!liveBrokers.includes(broker)) continue;
    const notLed = owned.filter((p) => p.leader !== broker);
    if (notLed.length === 0 || (notLed.length * 100) / owned.length <= percentage) continue;
    out.push(...notLed.filter((p) => p.isr.includes(broker)));
  }
  return out;
}

/** A partition's state from a snapshot; UNKNOWN_TOPIC_OR_PARTITION when it has none. */
export function partitionOf(snapshot: ClusterSnapshot, topic: string, partition: number): PartitionState {
  const state = snapshot.topics.get(topic)?.partitions.find((p) => p.partition === partition);
  if (!state) throw unknownPartition(topic, partition);
  return state;
}

export function unknownPartition(topic: string, partition: number): TributaryError {
  return TributaryError.of('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} does not exist`);
}

/** The controller epoch to fence writes with; NOT_CONTROLLER (retriable: the client asks the new one) when this broker does not hold the lease. */
export function activeEpoch(controllerEpoch: () => number, brokerId: number): number {
  const epoch = controllerEpoch();
  if (epoch <= 0) throw TributaryError.of('NOT_CONTROLLER', `broker ${brokerId} is not the controller`);
  return epoch;
}
