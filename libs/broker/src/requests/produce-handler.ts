import {
  decodeProduceEntries,
  ErrorCode,
  toErrorResponse,
  type ProducePartitionResponse,
  type ProduceRequest,
  type ProduceResponse,
} from '@tributary/protocol';
import type { PartitionLookup } from './partition-lookup';

/**
 * Produce: each partition's batches go to its leader actor; partitions succeed or fail on
 * their own, and a failure is an error code in the response, never a half-written log.
 */
export class ProduceHandler {
  constructor(private readonly lookup: PartitionLookup) {}

  async handle(request: ProduceRequest): Promise<ProduceResponse> {
    const entries = decodeProduceEntries(request.data);
    const partitions = await Promise.all(
      entries.map(async (e): Promise<ProducePartitionResponse> => {
        try {
          const actor = this.lookup.leaderFor(e.topic, e.partition);
          const { baseOffset, logStartOffset } = await actor.produce(e.batches, request.acks, request.timeoutMs);
          return { topic: e.topic, partition: e.partition, errorCode: ErrorCode.NONE, baseOffset, logStartOffset };
        } catch (err) {
          return { topic: e.topic, partition: e.partition, ...toErrorResponse(err), baseOffset: -1, logStartOffset: -1 };
        }
      }),
    );
    return { errorCode: ErrorCode.NONE, partitions };
  }
}
