import {
  decodeProduceEntries,
  ErrorCode,
  toErrorResponse,
  TributaryError,
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
  /** test hook (see loseAcksForTests): every n-th successful partition answer is replaced by an error; 0 = off */
  private loseEvery = 0;
  private successes = 0;

  constructor(private readonly lookup: PartitionLookup) {}

  /**
   * For tests of retries only, never in production: set at start from the
   * TRIBUTARY_TEST_LOSE_PRODUCE_ACKS environment variable (apps/broker/src/main.ts). Every n-th
   * partition that was appended and committed is answered REQUEST_TIMED_OUT instead of its
   * offset, as if the acknowledgement had been lost on the way: the client retries a batch
   * the log already holds.
   */
  loseAcksForTests(every: number): void {
    this.loseEvery = Number.isInteger(every) && every > 0 ? every : 0;
  }

  async handle(request: ProduceRequest): Promise<ProduceResponse> {
    const entries = decodeProduceEntries(request.data);
    const partitions = await Promise.all(
      entries.map(async (e): Promise<ProducePartitionResponse> => {
        try {
          const actor = this.lookup.leaderFor(e.topic, e.partition);
          const { baseOffset, logStartOffset } = await actor.produce(e.batches, request.acks, request.timeoutMs);
          if (this.loseEvery > 0 && ++this.successes % this.loseEvery === 0) {
            return {
              topic: e.topic,
              partition: e.partition,
              ...toErrorResponse(TributaryError.of('REQUEST_TIMED_OUT', 'test hook: acknowledgement dropped after the append')),
              baseOffset: -1,
              logStartOffset: -1,
            };
          }
          return { topic: e.topic, partition: e.partition, errorCode: ErrorCode.NONE, baseOffset, logStartOffset };
        } catch (err) {
          return { topic: e.topic, partition: e.partition, ...toErrorResponse(err), baseOffset: -1, logStartOffset: -1 };
        }
      }),
    );
    return { errorCode: ErrorCode.NONE, partitions };
  }
}
