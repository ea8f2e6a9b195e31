import type { ClusterSnapshot, PartitionState, ReassignmentStore } from '@tributary/coordination';
import { isReassigning, targetReplicas } from './reassignment-plan';

/** What one pass found about one partition in reassignment. */
export type ReassignmentStep = 'catching-up' | 'moving-leader' | 'completed' | 'waiting';

export interface ReassignmentProgress {
  /** partitions still in reassignment after this pass */
  inFlight: Array<{ topic: string; partition: number; step: ReassignmentStep }>;
  completed: number;
}

/**
 * Drives every partition reassignment in the cluster forward, Kafka's KIP-455 way, reading
 * where each stands from Redis on every pass (so a new controller resumes whatever its
 * predecessor started, and a pass may be repeated at will):
 *   1. the new replicas follow and catch up; the leader adds each to the ISR once caught up;
 *   2. once every target replica is in the ISR, a leader that is leaving hands leadership to
 *      the first target replica in the ISR (electLeader: the epoch goes up, the old leader's
 *      waiting requests answer NOT_LEADER_OR_FOLLOWER and the producer retries there);
 *   3. the replica set becomes the target in one Lua script fenced on the leader epoch; the
 *      removed replicas' brokers close them and delete their files when they see it.
 */
export class ReassignmentDriver {
  constructor(
    private readonly store: ReassignmentStore,
    private readonly leaderLeaseMs: number,
  ) {}

  async pass(snapshot: ClusterSnapshot, controllerEpoch: number): Promise<ReassignmentProgress> {
    const progress: ReassignmentProgress = { inFlight: [], completed: 0 };
    const live = new Set(snapshot.brokers.map((b) => b.id));
    for (const { partitions } of snapshot.topics.values()) {
      for (const state of partitions) {
        if (!isReassigning(state)) continue;
        const step = await this.advance(state, live, controllerEpoch);
        if (step === 'completed') progress.completed++;
        else progress.inFlight.push({ topic: state.topic, partition: state.partition, step });
      }
    }
    return progress;
  }

  private async advance(state: PartitionState, live: ReadonlySet<number>, controllerEpoch: number): Promise<ReassignmentStep> {
    const target = targetReplicas(state);
    if (!target.every((r) => state.isr.includes(r))) return 'catching-up';
    const leaving = state.leader < 0 || !target.includes(state.leader);
    if (leaving) {
      const next = target.find((r) => state.isr.includes(r) && live.has(r));
      if (next === undefined) return 'waiting';
      const r = await this.store.electLeader(state.topic, state.partition, next, state.leaderEpoch, controllerEpoch, this.leaderLeaseMs);
      return 'epoch' in r ? 'moving-leader' : 'waiting';
    }
    const outcome = await this.store.completeReassignment(state.topic, state.partition, state.leaderEpoch, controllerEpoch);
    return outcome === 'completed' || outcome === 'not-reassigning' ? 'completed' : 'waiting';
  }
}
