import type { AssignorName, GroupState, GroupTopicPartitions, JoinGroupRequest } from '@tributary/protocol';

/** A member as it joined (its join request, less the group id), with what it was given. */
export interface StoredMember extends Omit<JoinGroupRequest, 'groupId'> {
  /** the member's partitions in the current generation */
  assignment: GroupTopicPartitions[];
  /**
   * cooperative-sticky only: partitions it held in the previous generation that this one
   * withholds from everybody; it still owns them (may commit them) until it rejoins without them
   */
  revoking?: GroupTopicPartitions[];
  /** the principal that joined it: only that principal may act for the member, on any coordinator */
  principal?: string;
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
