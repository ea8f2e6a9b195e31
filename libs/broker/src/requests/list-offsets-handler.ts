import { ErrorCode, toErrorResponse, type ListOffsetsRequest, type ListOffsetsResponse } from '@tributary/protocol';
import type { PartitionLookup } from './partition-lookup';

/** ListOffsets: earliest, latest (high watermark) or the first offset at a timestamp. */
export class ListOffsetsHandler {
  constructor(private readonly lookup: PartitionLookup) {}

  handle(request: ListOffsetsRequest): ListOffsetsResponse {
    const partitions = request.partitions.map((p) => {
      try {
        const found = this.lookup.leaderFor(p.topic, p.partition).offsetFor(p.timestamp);
        return { topic: p.topic, partition: p.partition, errorCode: ErrorCode.NONE, ...found };
      } catch (err) {
        return { topic: p.topic, partition: p.partition, ...toErrorResponse(err), offset: -1, timestamp: -1 };
      }
    });
    return { errorCode: ErrorCode.NONE, partitions };
  }
}
