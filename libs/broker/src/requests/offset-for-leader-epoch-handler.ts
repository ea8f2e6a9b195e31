import { ErrorCode, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse } from '@tributary/protocol';
import type { PartitionLookup } from './partition-lookup';

/** KIP-101: a follower of a new epoch asks the leader where its own last epoch ended. */
export class OffsetForLeaderEpochHandler {
  constructor(private readonly lookup: PartitionLookup) {}

  handle(request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
    const actor = this.lookup.leaderFor(request.topic, request.partition);
    return { errorCode: ErrorCode.NONE, ...actor.endOffsetForEpoch(request.leaderEpoch, request.currentLeaderEpoch) };
  }
}
