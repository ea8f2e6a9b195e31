import type { AssignorName, GroupState, GroupTopicPartitions } from '@tributary/protocol';

export interface StoredMember {
  memberId: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  topics: string[];
  assignors: AssignorName[];
  /** the member's partitions in the current generation */
  assignment: GroupTopicPartitions[];
}

/** A group as kept in Redis: enough for a new coordinator to carry on where the old one stopped. */
export interface StoredGroup {
  groupId: string;
  state: GroupState;
  generationId: number;
  assignor: AssignorName | '';
  leaderId: string;
  members: StoredMember[];
}

export interface StoredOffset {
  offset: number;
  metadata: string;
  commitTimestamp: number;
}
