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
import { currentRequestScope, type RequestScope } from './request-scope';

export interface FetchLimits {
  /** fetch.max.bytes: the most one response carries, whatever the client asks */
  fetchMaxBytes: number;
  /** the most one partition adds (at least one whole batch still goes out, KIP-74) */
  maxPartitionFetchBytes: number;
}

/**
 * Fetch with Kafka's long poll: answer at once when minBytes are there, else wait for an
 * append to any fetched partition or for maxWaitMs, whichever comes first. A response is
 * built only when the connection has room to send it, and a poll ends when its connection
 * closes.
 */
export class FetchHandler {
  constructor(
    private readonly lookup: PartitionLookup,
    private readonly limits: FetchLimits = { fetchMaxBytes: 16 * 1024 * 1024, maxPartitionFetchBytes: 8 * 1024 * 1024 },
  ) {}

  async handle(request: FetchRequest): Promise<FetchResponse> {
    const scope = currentRequestScope();
    const deadline = Date.now() + request.maxWaitMs;
    let result = await this.collectWhenWritable(request, scope);
    while (result.bytes < Math.max(request.minBytes, 1) && Date.now() < deadline && result.actors.length > 0 && !scope?.signal.aborted) {
      const appended = await waitForAppend(result.actors, deadline - Date.now(), scope?.signal);
      if (!appended || scope?.signal.aborted) break;
      result = await this.collectWhenWritable(request, scope);
    }
    return { errorCode: ErrorCode.NONE, partitions: result.partitions, records: joinChunks(result.chunks) };
  }

  /** Reads only once the connection has drained below its send limit, and at most what it has room for. */
  private async collectWhenWritable(request: FetchRequest, scope: RequestScope | undefined) {
    if (scope) await scope.whenWritable();
    const budget = scope && !scope.signal.aborted ? scope.sendBudget() : Number.MAX_SAFE_INTEGER;
    const result = this.collect(request, Math.max(1, Math.min(request.maxBytes, this.limits.fetchMaxBytes, budget)));
    scope?.reserve(result.bytes);
    return result;
  }

  private collect(request: FetchRequest, maxBytes: number) {
    const partitions: FetchPartitionResponse[] = [];
    const chunks: Buffer[] = [];
    const actors: PartitionActor[] = [];
    let remaining = maxBytes;
    let bytes = 0;
    for (const p of request.partitions) {
      try {
        const actor = this.lookup.leaderFor(p.topic, p.partition);
        actors.push(actor);
        const limit = Math.min(p.partitionMaxBytes, this.limits.maxPartitionFetchBytes, remaining);
        const r = actor.read(p.fetchOffset, Math.max(0, limit), request.replicaId, request.replicaEpoch);
        // KIP-74: only the first partition with data may go over the limit (one whole batch);
        // any later one that would is left for the next fetch, so a response stays under it.
        const records = bytes > 0 && r.records.length > remaining ? Buffer.alloc(0) : r.records;
        chunks.push(records);
        remaining -= records.length;
        bytes += records.length;
        partitions.push({
          topic: p.topic,
          partition: p.partition,
          errorCode: ErrorCode.NONE,
          highWatermark: r.highWatermark,
          logStartOffset: r.logStartOffset,
          logEndOffset: r.logEndOffset,
          byteLength: records.length,
        });
      } catch (err) {
        partitions.push({ topic: p.topic, partition: p.partition, ...toErrorResponse(err), highWatermark: -1, logStartOffset: -1, byteLength: 0 });
      }
    }
    return { partitions, chunks, actors, bytes };
  }
}

function waitForAppend(actors: PartitionActor[], timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const unsubscribers: Array<() => void> = [];
    const done = (appended: boolean) => {
      clearTimeout(timer);
      for (const u of unsubscribers) u();
      signal?.removeEventListener('abort', onAbort);
      resolve(appended);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
    for (const a of actors) unsubscribers.push(a.onAppend(() => done(true)));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One attachment for the whole response; a single non-empty chunk goes out as it is (Buffer.concat would copy it). */
function joinChunks(chunks: Buffer[]): Buffer {
  const nonEmpty = chunks.filter((c) => c.length > 0);
  return nonEmpty.length === 1 ? nonEmpty[0] : Buffer.concat(nonEmpty);
}
