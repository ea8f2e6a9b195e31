/** Who sends a group request: the connection's principal, and the connection itself. */
export interface GroupMemberConnection {
  principal: string;
  /** unique per connection on this broker */
  connectionId: string;
  isConnected(): boolean;
}
