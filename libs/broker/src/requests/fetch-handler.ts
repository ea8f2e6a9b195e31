import { Buffer } from 'buffer';
import {
  ErrorCode,
  toErrorResponse,
  type FetchPartitionResponse,
  type FetchRequest,
  type FetchResponse,
} from '@tributary/protocol';
import type { PartitionActor } from '../partition/partition-actor';
import type { PartitionLookup } from './partition-lookup';

/**
 * Fetch with Kafka's long poll: answer at once when minBytes are there, else wait for an
 * append to any fetched partition or for maxWaitMs, whichever comes first.
 */
export class FetchHandler {
  constructor(private readonly lookup: PartitionLookup) {}

  async handle(request: FetchRequest): Promise<FetchResponse> {
    const deadline = Date.now() + request.maxWaitMs;
    let result = this.collect(request);
    while (result.bytes < Math.max(request.minBytes, 1) && Date.now() < deadline && result.actors.length > 0) {
      const appended = await waitForAppend(result.actors, deadline - Date.now());
      if (!appended) break;
      result = this.collect(request);
    }
    return { errorCode: ErrorCode.NONE, partitions: result.partitions, records: joinChunks(result.chunks) };
  }

  private collect(request: FetchRequest) {
    const partitions: FetchPartitionResponse[] = [];
    const chunks: Buffer[] = [];
    const actors: PartitionActor[] = [];
    let remaining = request.maxBytes;
    let bytes = 0;
    for (const p of request.partitions) {
      try {
        const actor = this.lookup.leaderFor(p.topic, p.partition);
        actors.push(actor);
        const limit = Math.min(p.partitionMaxBytes, remaining);
        const r = actor.read(p.fetchOffset, Math.max(0, limit), request.replicaId, request.replicaEpoch, request.replicaBrokerEpoch);
        chunks.push(r.records);
        remaining -= r.records.length;
        bytes += r.records.length;
        partitions.push({
          topic: p.topic,
          partition: p.partition,
          errorCode: ErrorCode.NONE,
          highWatermark: r.highWatermark,
          logStartOffset: r.logStartOffset,
          logEndOffset: r.logEndOffset,
          byteLength: r.records.length,
        });
      } catch (err) {
        partitions.push({ topic: p.topic, partition: p.partition, ...toErrorResponse(err), highWatermark: -1, logStartOffset: -1, byteLength: 0 });
      }
    }
    return { partitions, chunks, actors, bytes };
  }
}

function waitForAppend(actors: PartitionActor[], timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const unsubscribers: Array<() => void> = [];
    const done = (appended: boolean) => {
      clearTimeout(timer);
      for (const u of unsubscribers) u();
      resolve(appended);
    };
    const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
    for (const a of actors) unsubscribers.push(a.onAppend(() => done(true)));
  });
}

/** One attachment for the whole response; a single non-empty chunk goes out as it is (Buffer.concat would copy it). */
function joinChunks(chunks: Buffer[]): Buffer {
  const nonEmpty = chunks.filter((c) => c.length > 0);
  return nonEmpty.length === 1 ? nonEmpty[0] : Buffer.concat(nonEmpty);
}
