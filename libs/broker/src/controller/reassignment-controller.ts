import type { ReassignmentStore } from '@tributary/coordination';
import {
  ErrorCode,
  toErrorResponse,
  TributaryError,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponse,
  type DecommissionBrokerResponse,
  type PartitionResult,
} from '@tributary/protocol';
import { ReassignmentDriver, type ReassignmentProgress } from './reassignment-driver';
import { DECOMMISSION_BROKER_JOB, REASSIGN_PARTITIONS_JOB, type ControllerEpochSource, type PartitionMove, type SubmitJob } from './reassignment-jobs';
import { activeEpoch, checkTarget, isReassigning, originalReplicas, partitionOf, planDecommission, unknownPartition } from './reassignment-plan';
import { PreferredLeaderElections } from './leader-elections';

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

/**
 * The controller's cluster-changing admin work beyond topic creation: partition reassignment
 * (KIP-455) and broker decommission, and the passes that move them on and check the leader
 * balance (preferred elections: PreferredLeaderElections). Every write is a Lua script fenced on the controller epoch; the state of
 * every reassignment lives with its partition in Redis, so a pass can run again, on any
 * controller.
 */
export class ReassignmentController {
  private readonly driver: ReassignmentDriver;
  /** preferred leader elections, on demand and by the imbalance check */
  readonly elections: PreferredLeaderElections;
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
    this.elections = new PreferredLeaderElections(store, controllerEpoch, options, submitJob);
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
      every(this.options.leaderImbalanceCheckIntervalMs, () => this.elections.checkLeaderBalance(), 'rebalancing'),
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
    return activeEpoch(this.controllerEpoch, this.options.brokerId);
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

  /** One pass over every reassignment in flight (see ReassignmentDriver); a no-op unless controller. */
  async drive(): Promise<ReassignmentProgress | null> {
    const epoch = this.controllerEpoch();
    if (epoch <= 0) return null;
    return this.driver.pass(await this.store.snapshot(), epoch);
  }
}
