import { ErrorCode, toErrorResponse, type DeleteRecordsRequest, type DeleteRecordsResponse } from '@tributary/protocol';
import type { PartitionLookup } from './partition-lookup';

/** DeleteRecords, answered by each partition's leader: the new log start offset (Kafka's low watermark). */
export class DeleteRecordsHandler {
  constructor(private readonly lookup: PartitionLookup) {}

  async handle(request: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
    const partitions = await Promise.all(
      request.partitions.map(async (p) => {
        try {
          const lowWatermark = await this.lookup.leaderFor(p.topic, p.partition).deleteRecords(p.offset);
          return { topic: p.topic, partition: p.partition, errorCode: ErrorCode.NONE, lowWatermark };
        } catch (err) {
          return { topic: p.topic, partition: p.partition, ...toErrorResponse(err), lowWatermark: -1 };
        }
      }),
    );
    return { errorCode: ErrorCode.NONE, partitions };
  }
}
