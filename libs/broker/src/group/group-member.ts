import type { JoinGroupResponse } from '@tributary/protocol';
import type { StoredMember } from '@tributary/coordination';

/** A member as the coordinator holds it: what is stored, plus the live session and a parked join. */
export interface LiveMember {
  stored: StoredMember;
  /** coordinator clock; reset on every heartbeat, join and takeover */
  sessionDeadline: number;
  /** a join waiting for the rebalance to complete */
  pendingJoin: ((response: JoinGroupResponse) => void) | null;
}
