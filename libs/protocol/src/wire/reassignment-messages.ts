import type { PartitionError, ResponseBase } from './messages';

/** Reassignment (KIP-455), preferred leader election and broker decommission: requests the controller answers. */

// ---- alterPartitionReassignments ----
export interface ReassignablePartition {
  topic: string;
  partition: number;
  /** the target replica set, preferred leader first; null cancels the partition's reassignment in progress */
  replicas: number[] | null;
}

export interface AlterPartitionReassignmentsRequest {
  partitions: ReassignablePartition[];
}

export interface PartitionResult extends PartitionError {
  topic: string;
  partition: number;
}

export interface AlterPartitionReassignmentsResponse extends ResponseBase {
  partitions: PartitionResult[];
  /** the admin job that drives the accepted reassignments, when the broker runs them as one */
  jobId?: string;
}

// ---- listPartitionReassignments ----
export interface ListPartitionReassignmentsRequest {
  /** null or absent: every topic */
  topics?: string[] | null;
}

export interface OngoingPartitionReassignment {
  topic: string;
  partition: number;
  /** the whole replica set now: target plus the replicas still being removed */
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface ListPartitionReassignmentsResponse extends ResponseBase {
  reassignments: OngoingPartitionReassignment[];
}

// ---- electLeaders (preferred leader election) ----
export interface ElectLeadersRequest {
  /** null or absent: every partition of the cluster */
  partitions?: Array<{ topic: string; partition: number }> | null;
}

export interface ElectLeaderResult extends PartitionResult {
  /** the leader after the election (or the current one when none was needed), -1 unknown */
  leader: number;
}

export interface ElectLeadersResponse extends ResponseBase {
  partitions: ElectLeaderResult[];
}

// ---- decommissionBroker ----
export interface DecommissionBrokerRequest {
  brokerId: number;
}

export interface PlannedMove {
  topic: string;
  partition: number;
  /** the replica set before and after */
  from: number[];
  to: number[];
}

export interface DecommissionBrokerResponse extends ResponseBase {
  moves: PlannedMove[];
  jobId?: string;
}
