import type { ResponseBase } from './messages';

/** Assignment strategies a member may ask for; the coordinator computes assignments (see DESIGN notes in README). */
export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'Stable' | 'Dead';

export interface GroupTopicPartitions {
  topic: string;
  partitions: number[];
}

// ---- findCoordinator ----
export interface FindCoordinatorRequest {
  groupId: string;
}

export interface FindCoordinatorResponse extends ResponseBase {
  nodeId: number;
  host: string;
  port: number;
  url: string;
}

// ---- joinGroup ----
export interface JoinGroupRequest {
  groupId: string;
  /** empty on the first join: the coordinator hands one out */
  memberId: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  topics: string[];
  /** in order of preference; the group uses the first one every member supports */
  assignors: AssignorName[];
}

export interface JoinGroupResponse extends ResponseBase {
  generationId: number;
  memberId: string;
  leaderId: string;
  assignor: AssignorName | '';
  /** this member's partitions in the new generation */
  assignment: GroupTopicPartitions[];
}

// ---- syncGroup: returns the assignment the coordinator computed for the generation ----
export interface SyncGroupRequest {
  groupId: string;
  memberId: string;
  generationId: number;
}

export interface SyncGroupResponse extends ResponseBase {
  assignment: GroupTopicPartitions[];
}

// ---- heartbeat / leaveGroup ----
export interface HeartbeatRequest {
  groupId: string;
  memberId: string;
  generationId: number;
}

export type HeartbeatResponse = ResponseBase;

export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
}

export type LeaveGroupResponse = ResponseBase;

// ---- offsets ----
export interface OffsetCommitPartition {
  topic: string;
  partition: number;
  /** the next offset to read, Kafka's convention */
  offset: number;
  metadata?: string;
}

export interface CommitOffsetsRequest {
  groupId: string;
  /** -1 with an empty memberId: a commit from outside the group (admin), allowed only while the group is empty */
  generationId: number;
  memberId: string;
  offsets: OffsetCommitPartition[];
}

export type CommitOffsetsResponse = ResponseBase;

export interface FetchOffsetsRequest {
  groupId: string;
  /** absent: every partition the group committed */
  partitions?: { topic: string; partition: number }[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1: nothing committed */
  offset: number;
  metadata: string;
}

export interface FetchOffsetsResponse extends ResponseBase {
  offsets: CommittedOffset[];
}

// ---- deleteGroups ----
export interface DeleteGroupsRequest {
  groupIds: string[];
}

export interface DeleteGroupsResponse extends ResponseBase {
  /** per group: NONE, NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND or NOT_COORDINATOR */
  results: Array<{ groupId: string; errorCode: number }>;
}

// ---- listGroups / describeGroups ----
export type ListGroupsRequest = Record<string, never>;

export interface ListedGroup {
  groupId: string;
  state: GroupState;
  coordinatorId: number;
}

export interface ListGroupsResponse extends ResponseBase {
  groups: ListedGroup[];
}

export interface DescribeGroupsRequest {
  groupIds: string[];
}

export interface DescribedMember {
  memberId: string;
  clientId: string;
  topics: string[];
  assignment: GroupTopicPartitions[];
}

export interface DescribedGroup {
  groupId: string;
  errorCode: number;
  state: GroupState;
  generationId: number;
  assignor: AssignorName | '';
  leaderId: string;
  coordinatorId: number;
  members: DescribedMember[];
}

export interface DescribeGroupsResponse extends ResponseBase {
  groups: DescribedGroup[];
}
