import type { JoinGroupResponse } from '@tributary/protocol';
import type { StoredMember } from '@tributary/coordination';

/** A member as the coordinator holds it: what is stored, plus the live session and a parked join. */
export interface LiveMember {
  stored: StoredMember;
  /** coordinator clock; reset on every heartbeat, join and takeover */
  sessionDeadline: number;
  /** a join waiting for the rebalance to complete */
  pendingJoin: ((response: JoinGroupResponse) => void) | null;
  /** the connection the member joined (or last acted) on; only it may act for the member while it is open */
  owner?: GroupMemberConnection;
}

/** Who sends a group request: the connection's principal, and the connection itself. */
export interface GroupMemberConnection {
  principal: string;
  /** unique per connection on this broker */
  connectionId: string;
  isConnected(): boolean;
}
