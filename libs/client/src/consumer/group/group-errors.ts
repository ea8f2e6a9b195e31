import { ErrorCode, TributaryError } from '@tributary/protocol';

/**
 * A group request the coordinator refused for this member: ILLEGAL_GENERATION (a rebalance
 * moved on without it), UNKNOWN_MEMBER_ID (its session expired or it left) or
 * FENCED_MEMBER_EPOCH (it committed a partition it does not own in its generation). A commit
 * that fails this way must not be retried as is: the member rejoins and its partitions may have
 * moved; it resumes from whatever the group committed.
 */
export class GroupMembershipError extends TributaryError {
  constructor(
    code: number,
    message: string | undefined,
    readonly groupId: string,
    readonly memberId: string,
    readonly generationId: number,
  ) {
    super(code, message);
    this.name = 'GroupMembershipError';
  }

  static isFencing(code: number): boolean {
    return code === ErrorCode.ILLEGAL_GENERATION || code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.FENCED_MEMBER_EPOCH;
  }
}
