import type { ClusterSnapshot, PartitionState, ReassignmentStore } from '@tributary/coordination';
import {
  ErrorCode,
  toErrorResponse,
  TributaryError,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponse,
  type DecommissionBrokerResponse,
  type ElectLeaderResult,
  type ElectLeadersRequest,
  type ElectLeadersResponse,
  type PartitionResult,
} from '@tributary/protocol';
import { ReassignmentDriver, type ReassignmentProgress } from './reassignment-driver';
import {
  DECOMMISSION_BROKER_JOB,
  REASSIGN_PARTITIONS_JOB,
  REBALANCE_LEADERS_JOB,
  type ControllerEpochSource,
  type PartitionMove,
  type SubmitJob,
} from './reassignment-jobs';
import { checkTarget, imbalancedPartitions, isReassigning, originalReplicas, planDecommission } from './reassignment-plan';

export interface ReassignmentControllerOptions {
  brokerId: number;
  leaderLeaseMs: number;
  maxReplicationFactor: number;
  autoLeaderRebalanceEnable: boolean;
  leaderImbalancePerBrokerPercentage: number;
  leaderImbalanceCheckIntervalMs: number;
}

/** How often the controller moves reassignments on: each pass is a snapshot read and at most a script per partition in flight. */
export const REASSIGNMENT_PASS_MS = 250;

const ELECTION_CONFIRM_POLL_MS = 50;
const ELECTIONS_IN_PARALLEL = 32;

/**
 * The controller's cluster-changing admin work beyond topic creation: partition reassignment
 * (KIP-455), broker decommission, preferred leader election on demand and when leadership is
 * out of balance. Every write is a Lua script fenced on the controller epoch; the state of
 * every reassignment lives with its partition in Redis, so a pass can run again, on any
 * controller.
 */
export class ReassignmentController {
  private readonly driver: ReassignmentDriver;
  private timers: NodeJS.Timeout[] = [];
  private driving = false;
  private rebalancing = false;

  constructor(
    private readonly store: ReassignmentStore,
    private readonly controllerEpoch: ControllerEpochSource,
    private readonly options: ReassignmentControllerOptions,
    private readonly submitJob: SubmitJob,
  ) {
    this.driver = new ReassignmentDriver(store, options.leaderLeaseMs);
  }

  /** Starts the passes: reassignments on every REASSIGNMENT_PASS_MS, the leader balance check on its interval. */
  start(): void {
    const every = (ms: number, run: () => Promise<unknown>, guard: 'driving' | 'rebalancing'): NodeJS.Timeout => {
      const t = setInterval(() => {
        if (this[guard]) return;
        this[guard] = true;
        run()
          .catch((err: unknown) => this.warn(guard, err))
          .finally(() => (this[guard] = false));
      }, ms);
      t.unref();
      return t;
    };
    this.timers = [
      every(REASSIGNMENT_PASS_MS, () => this.drive(), 'driving'),
      every(this.options.leaderImbalanceCheckIntervalMs, () => this.checkLeaderBalance(), 'rebalancing'),
    ];
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private warn(what: string, err: unknown): void {
    // Redis unreachable or the lease lost mid-pass: the next pass reads the state again.
    console.error(
      JSON.stringify({
        level: 'warn',
        time: new Date().toISOString(),
        brokerId: this.options.brokerId,
        event: what === 'driving' ? 'reassignment-pass-failed' : 'leader-rebalance-failed',
        reason: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  private activeEpoch(): number {
    const epoch = this.controllerEpoch();
    if (epoch <= 0) throw TributaryError.of('NOT_CONTROLLER', `broker ${this.options.brokerId} is not the controller`);
    return epoch;
  }

  async alterPartitionReassignments(request: AlterPartitionReassignmentsRequest): Promise<AlterPartitionReassignmentsResponse> {
    const epoch = this.activeEpoch();
    const snapshot = await this.store.snapshot();
    const live = snapshot.brokers.map((b) => b.id);
    const partitions: PartitionResult[] = [];
    const moves: PartitionMove[] = [];
    for (const p of request.partitions) {
      try {
        const state = partitionOf(snapshot, p.topic, p.partition);
        let target: number[];
        if (p.replicas === null) {
          if (!isReassigning(state)) throw TributaryError.of('NO_REASSIGNMENT_IN_PROGRESS', `${p.topic}-${p.partition} has no reassignment in progress`);
          target = originalReplicas(state);
        } else {
          if (p.replicas.length > this.options.maxReplicationFactor) {
            throw TributaryError.of('INVALID_REPLICATION_FACTOR', `at most ${this.options.maxReplicationFactor} replicas, got ${p.replicas.length}`);
          }
          checkTarget(p.replicas, live);
          target = p.replicas;
        }
        const outcome = await this.store.beginReassignment(p.topic, p.partition, target, epoch);
        if (outcome === 'stale-controller') throw TributaryError.of('NOT_CONTROLLER', `broker ${this.options.brokerId} lost the controller lease`);
        if (outcome === 'no-partition') throw unknownPartition(p.topic, p.partition);
        partitions.push({ topic: p.topic, partition: p.partition, errorCode: ErrorCode.NONE });
        moves.push({ topic: p.topic, partition: p.partition, to: target });
      } catch (err) {
        partitions.push({ topic: p.topic, partition: p.partition, ...toErrorResponse(err) });
      }
    }
    // Started above, so a list right after shows them; the job carries them to the end and
    // reports progress, and a successor controller resumes it.
    const jobId = moves.length > 0 ? await this.submitJob(REASSIGN_PARTITIONS_JOB, { moves }) : undefined;
    return { errorCode: ErrorCode.NONE, partitions, ...(jobId ? { jobId } : {}) };
  }

  /** Plans moving every replica off `brokerId` and starts those reassignments. */
  async decommission(brokerId: number): Promise<DecommissionBrokerResponse> {
    const epoch = this.activeEpoch();
    const snapshot = await this.store.snapshot();
    const all = [...snapshot.topics.values()].flatMap((t) => t.partitions);
    const live = snapshot.brokers.map((b) => b.id);
    if (!live.includes(brokerId) && !all.some((p) => p.replicas.includes(brokerId))) {
      throw TributaryError.of('BROKER_NOT_AVAILABLE', `broker ${brokerId} is not registered and holds no replica`);
    }
    const moves = planDecommission(all, brokerId, live);
    for (const m of moves) {
      const outcome = await this.store.beginReassignment(m.topic, m.partition, m.to, epoch);
      if (outcome === 'stale-controller') throw TributaryError.of('NOT_CONTROLLER', `broker ${this.options.brokerId} lost the controller lease`);
    }
    const jobId = await this.submitJob(DECOMMISSION_BROKER_JOB, { brokerId, moves: moves.map((m) => ({ topic: m.topic, partition: m.partition, to: m.to })) });
    return { errorCode: ErrorCode.NONE, moves, jobId };
  }

  /**
   * Preferred leader election: each partition's first replica takes over when it is live and
   * in the ISR. Resolves once the new leader has claimed its epoch (bounded by two leases), so
   * the answer names who leads.
   */
  async electLeaders(request: ElectLeadersRequest): Promise<ElectLeadersResponse> {
    const epoch = this.activeEpoch();
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

  /** One pass over every reassignment in flight (see ReassignmentDriver); a no-op unless controller. */
  async drive(): Promise<ReassignmentProgress | null> {
    const epoch = this.controllerEpoch();
    if (epoch <= 0) return null;
    return this.driver.pass(await this.store.snapshot(), epoch);
  }

  /** Kafka's auto leader rebalance check: when some broker leads too few of its preferred partitions, a rebalanceLeaders job elects them. */
  private async checkLeaderBalance(): Promise<void> {
    if (this.controllerEpoch() <= 0 || !this.options.autoLeaderRebalanceEnable) return;
    const snapshot = await this.store.snapshot();
    const live = snapshot.brokers.map((b) => b.id);
    const all = [...snapshot.topics.values()].flatMap((t) => t.partitions);
    if (imbalancedPartitions(all, live, this.options.leaderImbalancePerBrokerPercentage).length === 0) return;
    await this.submitJob(REBALANCE_LEADERS_JOB, {});
  }

  /** Preferred elections where a broker leads too few of its partitions (the imbalance rule). Returns how many moved. */
  async rebalanceLeaders(): Promise<number> {
    const epoch = this.controllerEpoch();
    if (epoch <= 0) throw TributaryError.of('NOT_CONTROLLER', `broker ${this.options.brokerId} is not the controller`);
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

function partitionOf(snapshot: ClusterSnapshot, topic: string, partition: number): PartitionState {
  const state = snapshot.topics.get(topic)?.partitions.find((p) => p.partition === partition);
  if (!state) throw unknownPartition(topic, partition);
  return state;
}

function unknownPartition(topic: string, partition: number): TributaryError {
  return TributaryError.of('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} does not exist`);
}
