import {
  ErrorCode,
  Events,
  TributaryError,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponse,
  type DecommissionBrokerRequest,
  type DecommissionBrokerResponse,
  type ElectLeaderResult,
  type ElectLeadersRequest,
  type ElectLeadersResponse,
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponse,
  type PartitionResult,
  type PlannedMove,
  type EventName,
  type ResponseBase,
} from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { RequestTimeoutError } from '../errors';
import { retry } from '../retry/retrier';

/** KafkaJS's alterPartitionReassignments shape: per topic, the target replicas of each partition (null cancels). */
export interface AlterPartitionReassignmentsOptions {
  topics: Array<{ topic: string; partitionAssignment: Array<{ partition: number; replicas: number[] | null }> }>;
}

export interface ListPartitionReassignmentsOptions {
  /** default: every topic */
  topics?: string[];
}

export interface PartitionReassignment {
  partition: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface ListPartitionReassignmentsResult {
  topics: Array<{ topic: string; partitions: PartitionReassignment[] }>;
}

export interface ElectLeadersOptions {
  /** default: every partition of the cluster */
  partitions?: Array<{ topic: string; partition: number }>;
}

/**
 * Reassignment (KIP-455), preferred leader election and broker decommission. Changes go to
 * the controller (retried after NOT_CONTROLLER); listing goes to any broker.
 */
export class ReassignmentAdmin {
  constructor(private readonly cluster: Cluster) {}

  /**
   * Starts moving partitions to new replica sets; resolves once the controller recorded them
   * (listPartitionReassignments shows them), with the id of the admin job that completes them.
   * A partition it refused throws a TributaryError naming every refused partition.
   */
  async alterPartitionReassignments(options: AlterPartitionReassignmentsOptions): Promise<{ jobId?: string }> {
    const request: AlterPartitionReassignmentsRequest = {
      partitions: options.topics.flatMap((t) => t.partitionAssignment.map((p) => ({ topic: t.topic, partition: p.partition, replicas: p.replicas }))),
    };
    const r = await this.askController<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>(Events.alterPartitionReassignments, request);
    throwPartitionErrors(r.partitions);
    return r.jobId ? { jobId: r.jobId } : {};
  }

  async listPartitionReassignments(options: ListPartitionReassignmentsOptions = {}): Promise<ListPartitionReassignmentsResult> {
    await this.cluster.connect();
    // any broker answers from its metadata; the controller's is the freshest
    const r = await retry(
      () =>
        this.cluster.controllerConnection().request<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>(Events.listPartitionReassignments, {
          topics: options.topics ?? null,
        }),
      this.cluster.retryOptions,
      { onRetry: () => this.cluster.refreshMetadata() },
    );
    const topics = new Map<string, PartitionReassignment[]>();
    for (const p of r.reassignments) {
      topics.set(p.topic, [
        ...(topics.get(p.topic) ?? []),
        { partition: p.partition, replicas: p.replicas, addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas },
      ]);
    }
    return { topics: [...topics.entries()].map(([topic, partitions]) => ({ topic, partitions })) };
  }

  /**
   * Preferred leader election: each partition's first replica takes over where it is live and
   * in the ISR. Per partition: errorCode 0 (elected), ELECTION_NOT_NEEDED, or
   * PREFERRED_LEADER_NOT_AVAILABLE; never throws for those.
   */
  async electLeaders(options: ElectLeadersOptions = {}): Promise<ElectLeaderResult[]> {
    const r = await this.askController<ElectLeadersRequest, ElectLeadersResponse>(Events.electLeaders, { partitions: options.partitions ?? null });
    await this.cluster.refreshMetadata().catch(() => undefined);
    return r.partitions;
  }

  /** Plans and starts moving every replica off `brokerId`; the job's id, and the planned moves. */
  async decommissionBroker(brokerId: number): Promise<{ jobId?: string; moves: PlannedMove[] }> {
    const r = await this.askController<DecommissionBrokerRequest, DecommissionBrokerResponse>(Events.decommissionBroker, { brokerId });
    return { ...(r.jobId ? { jobId: r.jobId } : {}), moves: r.moves };
  }

  private async askController<Req, Res extends ResponseBase>(event: EventName, request: Req): Promise<Res> {
    await this.cluster.connect();
    return retry(
      () => this.cluster.controllerConnection().request<Req, Res>(event, request),
      this.cluster.retryOptions,
      // a timed-out change may have happened: the caller decides (the error is typed and retriable)
      { onRetry: () => this.cluster.refreshMetadata(), shouldRetry: (e) => e.retriable && !(e instanceof RequestTimeoutError) },
    );
  }
}

function throwPartitionErrors(results: PartitionResult[]): void {
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE);
  if (failed.length === 0) return;
  const message = failed.map((f) => `${f.topic}-${f.partition}: ${f.errorMessage ?? new TributaryError(f.errorCode).message}`).join('; ');
  throw new TributaryError(failed[0].errorCode, message);
}
