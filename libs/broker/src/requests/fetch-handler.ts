import { Buffer } from 'buffer';
import {
  ErrorCode,
  readBatchHeader,
  toErrorResponse,
  type FetchPartitionRequest,
  type FetchPartitionResponse,
  type FetchRequest,
  type FetchResponse,
} from '@tributary/protocol';
import { ReadSink } from '@tributary/log';
import { DEFAULT_LIMITS } from '../config/limits-config';
import type { PartitionActor } from '../partition/partition-actor';
import type { PartitionLookup } from './partition-lookup';
import type { RequestScope } from './request-scope';

export interface FetchLimits {
  /** fetch.max.bytes: the most one response carries, whatever the client asks */
  fetchMaxBytes: number;
  /** the most one partition adds (at least one whole batch still goes out, KIP-74) */
  maxPartitionFetchBytes: number;
}

/** One partition's share of a fetch being built, kept across the wake-ups of a long poll. */
interface PartitionProgress {
  ask: FetchPartitionRequest;
  /** where its batches lie in the fetch's sink, [from, to) each, in offset order */
  ranges: Array<[number, number]>;
  bytes: number;
  /** where the next read continues: after the last batch already taken */
  next: number;
  /** a batch did not fit this partition's or the response's room: nothing more is read for it */
  full: boolean;
  actor: PartitionActor | null;
  response: FetchPartitionResponse;
}

const EMPTY = Buffer.alloc(0);

/**
 * Fetch with Kafka's long poll: answer at once when minBytes are there, else wait for an
 * append to any fetched partition or for maxWaitMs, whichever comes first. A response is
 * built only when the connection has room to send it, a poll ends when its connection
 * closes, and a wake-up reads only what was appended since the last one, so a parked poll
 * costs an append little (Kafka's delayed fetch, too, only counts new bytes).
 */
export class FetchHandler {
  constructor(
    private readonly lookup: PartitionLookup,
    private readonly limits: FetchLimits = DEFAULT_LIMITS,
  ) {}

  /** `scope`: the connection's, from the transport; none in-process (no send limit to respect). */
  async handle(request: FetchRequest, scope?: RequestScope): Promise<FetchResponse> {
    const signal = scope?.signal;
    const deadline = Date.now() + request.maxWaitMs;
    if (scope) await scope.whenWritable();
    // The room is fixed for the whole poll: what it has read stays reserved against the connection.
    const maxBytes = Math.max(
      1,
      Math.min(request.maxBytes, this.limits.fetchMaxBytes, scope && !signal?.aborted ? scope.sendBudget() : Number.MAX_SAFE_INTEGER),
    );
    // Every partition reads into one sink, so the common response is one view of it, not a concatenation.
    let sink = new ReadSink(maxBytes, request.partitions.length);
    let progress = request.partitions.map((ask) => this.start(ask));
    let bytes = this.read(request, progress, maxBytes, 0, sink);
    scope?.reserve(bytes);
    // minBytes beyond what this response may carry could only be met by the timeout.
    const wanted = Math.min(Math.max(request.minBytes, 1), maxBytes);
    if (bytes >= wanted || Date.now() >= deadline || signal?.aborted) return this.response(progress, sink);

    // Parked: each partition's appends mark it, and a wake-up reads only the marked ones, so
    // an append costs each poll one partition's read, not all of them. A consumer reads below
    // the high watermark only, so only its moves wake a consumer's poll; a replica reads to
    // the log end, so every append wakes its poll.
    const marked = new Set<PartitionProgress>();
    const waker = new PollWaker(deadline, signal);
    const forReplica = request.replicaId !== undefined;
    const unsubscribe = progress
      .filter((p) => p.actor !== null && !p.full)
      .map((p) =>
        (p.actor as PartitionActor).onAppend((committed) => {
          if (!committed && !forReplica) return;
          marked.add(p);
          waker.wake();
        }),
      );
    try {
      while (unsubscribe.length > 0 && bytes < wanted && Date.now() < deadline && !signal?.aborted) {
        if (marked.size === 0 && !(await waker.wait())) break;
        if (signal?.aborted) break;
        if (request.replicaId !== undefined) {
          // A follower's position is what it asked for, never what an unsent answer holds: its reads start over.
          sink = new ReadSink(maxBytes, request.partitions.length);
          progress = request.partitions.map((ask) => this.start(ask));
          bytes = this.read(request, progress, maxBytes, 0, sink);
        } else {
          bytes = this.read(
            request,
            [...marked].filter((p) => !p.full),
            maxBytes,
            bytes,
            sink,
          );
        }
        marked.clear();
        scope?.reserve(bytes);
        if (progress.every((p) => p.full || p.actor === null)) break;
      }
    } finally {
      for (const u of unsubscribe) u();
      waker.dispose();
    }
    return this.response(progress, sink);
  }

  private response(progress: PartitionProgress[], sink: ReadSink): FetchResponse {
    return {
      errorCode: ErrorCode.NONE,
      partitions: progress.map((p) => p.response),
      records: joinRanges(
        progress.flatMap((p) => p.ranges),
        sink,
      ),
    };
  }

  private start(ask: FetchPartitionRequest): PartitionProgress {
    return {
      ask,
      ranges: [],
      bytes: 0,
      next: ask.fetchOffset,
      full: false,
      actor: null,
      response: { topic: ask.topic, partition: ask.partition, errorCode: ErrorCode.NONE, highWatermark: -1, logStartOffset: -1, byteLength: 0 },
    };
  }

  /** Reads what each partition has beyond what it already holds, within its room and the response's; returns the response's bytes. */
  private read(request: FetchRequest, progress: PartitionProgress[], maxBytes: number, bytesSoFar: number, sink: ReadSink): number {
    let total = bytesSoFar;
    for (const p of progress) {
      if (p.response.errorCode !== ErrorCode.NONE) continue;
      const mark = sink.length;
      try {
        const actor = p.actor ?? this.lookup.leaderFor(p.ask.topic, p.ask.partition);
        p.actor = actor;
        const room = Math.min(p.ask.partitionMaxBytes, this.limits.maxPartitionFetchBytes) - p.bytes;
        const limit = p.full ? 0 : Math.max(0, Math.min(room, maxBytes - total));
        const r = actor.read(p.next, limit, request.replicaId, request.replicaEpoch, request.replicaBrokerEpoch, sink);
        let records = r.records;
        // KIP-74: only the response's first batch may go over a limit; any other that would is
        // left for the next fetch, and this partition reads no further in this one.
        if (records.length > 0 && total > 0 && records.length > limit) {
          records = EMPTY;
          sink.truncate(mark);
          p.full = true;
        }
        if (records.length > 0) {
          p.ranges.push([mark, sink.length]);
          p.bytes += records.length;
          total += records.length;
          p.next = nextOffsetAfter(records, p.next);
        }
        if (limit === 0 && r.records.length === 0 && room <= 0) p.full = true;
        p.response = {
          topic: p.ask.topic,
          partition: p.ask.partition,
          errorCode: ErrorCode.NONE,
          highWatermark: r.highWatermark,
          logStartOffset: r.logStartOffset,
          logEndOffset: r.logEndOffset,
          byteLength: p.bytes,
        };
      } catch (err) {
        if (sink.length > mark) sink.truncate(mark);
        total -= p.bytes;
        p.ranges = [];
        p.bytes = 0;
        p.actor = null;
        p.response = { topic: p.ask.topic, partition: p.ask.partition, ...toErrorResponse(err), highWatermark: -1, logStartOffset: -1, byteLength: 0 };
      }
    }
    return total;
  }
}

/** The offset after the last batch in `records` (whole batches, back to back). */
function nextOffsetAfter(records: Buffer, fallback: number): number {
  let pos = 0;
  let next = fallback;
  while (pos < records.length) {
    const h = readBatchHeader(records, pos);
    next = h.lastOffset + 1;
    pos += h.sizeInBytes;
  }
  return next;
}

/**
 * The wake-ups of one parked poll. The deadline timer and the close listener are set once
 * for the whole poll, not once per wait: a poll woken by every append would otherwise pay
 * for a timer and an AbortSignal listener (slow in Node) each time.
 */
class PollWaker {
  private waiter: ((woke: boolean) => void) | null = null;
  private over = false;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly onAbort = (): void => this.end();

  constructor(
    deadline: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(this.onAbort, Math.max(0, deadline - Date.now()));
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** An append came: a wait in progress resolves true (one that comes later finds the marks instead). */
  wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.(true);
  }

  /** Resolves true when woken, false once the deadline passed or the connection closed. */
  wait(): Promise<boolean> {
    if (this.over) return Promise.resolve(false);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private end(): void {
    this.over = true;
    const w = this.waiter;
    this.waiter = null;
    w?.(false);
  }
}

/**
 * One attachment for the whole response, partitions in request order. Read in one pass, they
 * lie in that order in the sink already and go out as one view of it; reads of later
 * wake-ups of a long poll may interleave partitions, and only then are the ranges copied.
 */
function joinRanges(ranges: Array<[number, number]>, sink: ReadSink): Buffer {
  let next = 0;
  for (const [from, to] of ranges) {
    if (from !== next) return Buffer.concat(ranges.map(([f, t]) => sink.view(f, t)));
    next = to;
  }
  return next === 0 ? EMPTY : sink.view(0, next);
}
