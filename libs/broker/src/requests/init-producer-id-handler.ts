import type { ProducerIdStore } from '@tributary/coordination';
import { ErrorCode, TributaryError, type InitProducerIdRequest, type InitProducerIdResponse } from '@tributary/protocol';

/**
 * InitProducerId (KIP-98, no transactions): any broker answers, from the cluster-wide counter
 * in Redis. A request naming the id and epoch the producer holds gets the next epoch of it.
 */
export class InitProducerIdHandler {
  constructor(private readonly store: ProducerIdStore) {}

  async handle(request: InitProducerIdRequest): Promise<InitProducerIdResponse> {
    const producerId = request.producerId ?? -1;
    const producerEpoch = request.producerEpoch ?? -1;
    if (producerId < 0 !== producerEpoch < 0) {
      throw TributaryError.of('INVALID_REQUEST', `initProducerId: producerId and producerEpoch go together (got ${producerId} and ${producerEpoch})`);
    }
    let result;
    try {
      result = await this.store.initProducerId(producerId >= 0 ? { producerId, producerEpoch } : undefined);
    } catch (err) {
      // Redis is where ids come from: while it is unreachable the client retries, as for a coordinator.
      throw TributaryError.of('COORDINATOR_NOT_AVAILABLE', `cannot allocate a producer id: ${(err as Error).message}`);
    }
    return { errorCode: ErrorCode.NONE, ...result };
  }
}
