import { ErrorCode, TributaryError } from '@tributary/protocol';

/**
 * A group request the coordinator refused for this member: ILLEGAL_GENERATION (a rebalance
 * moved on without it) or UNKNOWN_MEMBER_ID (its session expired or it left). A commit that
 * fails this way must not be retried as is: the member rejoins and its partitions may have moved.
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
    return code === ErrorCode.ILLEGAL_GENERATION || code === ErrorCode.UNKNOWN_MEMBER_ID;
  }
}
