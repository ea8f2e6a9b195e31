import type { PartitionState, ReassignmentStore } from '@tributary/coordination';
import { ErrorCode, toErrorResponse, TributaryError, type ElectLeaderResult, type ElectLeadersRequest, type ElectLeadersResponse } from '@tributary/protocol';
import { REBALANCE_LEADERS_JOB, type ControllerEpochSource, type SubmitJob } from './reassignment-jobs';
import { activeEpoch, imbalancedPartitions, partitionOf, unknownPartition } from './reassignment-plan';

export interface LeaderElectionOptions {
  brokerId: number;
  leaderLeaseMs: number;
  autoLeaderRebalanceEnable: boolean;
  leaderImbalancePerBrokerPercentage: number;
}

const ELECTION_CONFIRM_POLL_MS = 50;
const ELECTIONS_IN_PARALLEL = 32;

/**
 * Preferred leader election, on demand (electLeaders) and Kafka's automatic way (a broker that
 * leads too few of the partitions it is the first replica of gets them back through a
 * rebalanceLeaders job). The preferred replica takes over only when it is live and in the ISR;
 * the handover is the electLeader script (see ReassignmentDriver for what it fences).
 */
export class PreferredLeaderElections {
  constructor(
    private readonly store: ReassignmentStore,
    private readonly controllerEpoch: ControllerEpochSource,
    private readonly options: LeaderElectionOptions,
    private readonly submitJob: SubmitJob,
  ) {}

  /**
   * Preferred leader election: each partition's first replica takes over when it is live and
   * in the ISR. Resolves once the new leader has claimed its epoch (bounded by two leases), so
   * the answer names who leads.
   */
  async electLeaders(request: ElectLeadersRequest): Promise<ElectLeadersResponse> {
    const epoch = activeEpoch(this.controllerEpoch, this.options.brokerId);
    const snapshot = await this.store.snapshot();
    const wanted = request.partitions ?? [...snapshot.topics.values()].flatMap((t) => t.partitions.map((p) => ({ topic: p.topic, partition: p.partition })));
    const live = new Set(snapshot.brokers.map((b) => b.id));
    const elect = async ({ topic, partition }: { topic: string; partition: number }): Promise<ElectLeaderResult> => {
      try {
        const state = partitionOf(snapshot, topic, partition);
        return { topic, partition, errorCode: ErrorCode.NONE, leader: await this.electPreferred(state, live, epoch) };
      } catch (err) {
        return { topic, partition, leader: snapshot.topics.get(topic)?.partitions[partition]?.leader ?? -1, ...toErrorResponse(err) };
      }
    };
    // in bounded groups: a whole cluster's partitions must not become that many scripts and polls at once
    const results: ElectLeaderResult[] = [];
    for (let i = 0; i < wanted.length; i += ELECTIONS_IN_PARALLEL) results.push(...(await Promise.all(wanted.slice(i, i + ELECTIONS_IN_PARALLEL).map(elect))));
    return { errorCode: ErrorCode.NONE, partitions: results };
  }

  private async electPreferred(state: PartitionState, live: ReadonlySet<number>, epoch: number): Promise<number> {
    const name = `${state.topic}-${state.partition}`;
    const preferred = state.replicas[0];
    if (state.leader === preferred) throw TributaryError.of('ELECTION_NOT_NEEDED', `${name}: broker ${preferred} leads already`);
    if (!live.has(preferred) || !state.isr.includes(preferred)) {
      throw TributaryError.of(
        'PREFERRED_LEADER_NOT_AVAILABLE',
        `${name}: preferred replica ${preferred} is ${live.has(preferred) ? 'not in the ISR' : 'not live'} (ISR ${state.isr.join(',')})`,
      );
    }
    const r = await this.store.electLeader(state.topic, state.partition, preferred, state.leaderEpoch, epoch, this.options.leaderLeaseMs);
    if ('refused' in r) {
      if (r.refused === 'stale-controller') throw TributaryError.of('NOT_CONTROLLER', `broker ${this.options.brokerId} lost the controller lease`);
      if (r.refused === 'already-leader') throw TributaryError.of('ELECTION_NOT_NEEDED', `${name}: broker ${preferred} leads already`);
      if (r.refused === 'no-partition') throw unknownPartition(state.topic, state.partition);
      // the state moved on since the snapshot (stale-epoch), or the replica just left the ISR or the registry
      throw TributaryError.of('PREFERRED_LEADER_NOT_AVAILABLE', `${name}: election of broker ${preferred} refused (${r.refused}); try again`);
    }
    const deadline = Date.now() + this.options.leaderLeaseMs * 2;
    while (Date.now() < deadline) {
      const now = await this.store.partitionState(state.topic, state.partition);
      if (!now || now.leaderEpoch > r.epoch || now.leader !== preferred) return now?.leader ?? -1;
      await new Promise((res) => setTimeout(res, ELECTION_CONFIRM_POLL_MS));
    }
    return preferred;
  }

  /** Kafka's auto leader rebalance check: when some broker leads too few of its preferred partitions, a rebalanceLeaders job elects them. */
  async checkLeaderBalance(): Promise<void> {
    if (this.controllerEpoch() <= 0 || !this.options.autoLeaderRebalanceEnable) return;
    const snapshot = await this.store.snapshot();
    const live = snapshot.brokers.map((b) => b.id);
    const all = [...snapshot.topics.values()].flatMap((t) => t.partitions);
    if (imbalancedPartitions(all, live, this.options.leaderImbalancePerBrokerPercentage).length === 0) return;
    await this.submitJob(REBALANCE_LEADERS_JOB, {});
  }

  /** Preferred elections where a broker leads too few of its partitions (the imbalance rule). Returns how many moved. */
  async rebalanceLeaders(): Promise<number> {
    const epoch = activeEpoch(this.controllerEpoch, this.options.brokerId);
    const snapshot = await this.store.snapshot();
    const live = new Set(snapshot.brokers.map((b) => b.id));
    const all = [...snapshot.topics.values()].flatMap((t) => t.partitions);
    let moved = 0;
    for (const state of imbalancedPartitions(all, [...live], this.options.leaderImbalancePerBrokerPercentage)) {
      const r = await this.store.electLeader(state.topic, state.partition, state.replicas[0], state.leaderEpoch, epoch, this.options.leaderLeaseMs);
      if ('epoch' in r) moved++;
    }
    return moved;
  }
}
