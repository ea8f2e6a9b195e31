import { Buffer } from 'buffer';
import {
  BatchLayout,
  decodeFetchedRecords,
  ErrorCode,
  Events,
  readBatchHeader,
  type DecodedRecord,
  type FetchRequest,
  type FetchResponse,
} from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { asTributaryError, RetriesExhaustedError, TopicError } from '../errors';
import type { Logger } from '../logger/logger';
import { backoffMs, type ResolvedRetryOptions } from '../retry/retrier';
import { sleepUnless } from '../util/timers';
import { tpKey } from '../util/topic-partition';
import type { Assignment, PartitionState } from './assignment';

const EMPTY = Buffer.alloc(0);

export interface FetchSettings {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  maxBytesPerPartition: number;
  requestTimeoutMs: number;
  retry: ResolvedRetryOptions;
}

/** A user handler failed more often than the retry policy allows: the consumer must stop. */
export class HandlerFailedError extends Error {
  constructor(override readonly cause: Error) {
    super(`message handler failed: ${cause.message}`);
    this.name = 'HandlerFailedError';
  }
}

export interface FetcherDeps {
  brokerId: number;
  cluster: Cluster;
  assignment: Assignment;
  settings: FetchSettings;
  logger: Logger;
  isRunning: () => boolean;
  /** resolves when the consumer stops, to cut long polls and backoffs short */
  stopped: Promise<void>;
  /** hands records to the user's handler and advances the position; throws HandlerFailedError to crash */
  deliver: (state: PartitionState, version: number, highWatermark: number, records: DecodedRecord[]) => Promise<void>;
  /** sets positions of partitions that have none, by the reset policy */
  resetPositions: (states: PartitionState[]) => Promise<void>;
  /** metadata looks stale: refresh it and re-route partitions to their leaders' fetchers */
  onStaleMetadata: () => Promise<void>;
}

/** Where one fetch reads a partition from, and the state version that position belongs to. */
interface FetchPosition {
  state: PartitionState;
  version: number;
  fetchOffset: number;
}

/** A fetch sent ahead, while the records of the one before are handed out. */
interface Prefetch {
  positions: FetchPosition[];
  /** null when the request failed: a fetch is then made afresh, which reports what goes wrong */
  response: Promise<FetchResponse | null>;
}

/**
 * The fetch loop for one broker: it reads every fetchable assigned partition that broker
 * leads and returns when it leads none of them any more (the consumer then starts loops for
 * wherever they went). While the records of one response are handed out, the next fetch is
 * already out, from the positions the handler will reach if it takes them all, as Kafka's
 * consumer fetches while the application processes; it is used only if every position came
 * out as foreseen, else dropped.
 */
export class BrokerFetcher {
  private failures = 0;
  private prefetch: Prefetch | null = null;

  constructor(private readonly deps: FetcherDeps) {}

  async run(): Promise<void> {
    const { logger, isRunning, stopped, settings } = this.deps;
    while (isRunning()) {
      const states = this.partitions();
      if (states.length === 0) return;
      try {
        const unpositioned = states.filter((s) => s.position === null);
        const stale = unpositioned.length > 0 ? (await this.deps.resetPositions(unpositioned), false) : await this.fetchOnce(states);
        if (!stale) {
          this.failures = 0;
          continue;
        }
        this.failures++;
      } catch (err) {
        if (err instanceof HandlerFailedError) throw err;
        const error = asTributaryError(err);
        // running out of retries inside a call is no reason to stop consuming: keep trying, just slower
        if (!error.retriable && !(err instanceof RetriesExhaustedError)) throw error;
        this.failures++;
        logger.warn('fetch failed, will retry', { brokerId: this.deps.brokerId, error: error.message, code: error.code });
      }
      await this.deps.onStaleMetadata();
      await sleepUnless(backoffMs(Math.min(this.failures - 1, 16), settings.retry), stopped);
    }
  }

  private partitions(): PartitionState[] {
    return this.deps.assignment.fetchable().filter((s) => this.deps.cluster.leaderOf(s.topic, s.partition) === this.deps.brokerId);
  }

  /** Returns true when some partition answered with a retriable error (metadata is likely stale). */
  private async fetchOnce(states: PartitionState[]): Promise<boolean> {
    const { assignment, stopped } = this.deps;
    const positions = states.map((s): FetchPosition => ({ state: s, version: s.version, fetchOffset: s.position ?? 0 }));
    const ahead = this.takePrefetch(positions);
    const response = await Promise.race([ahead ? ahead.then((r) => r ?? this.send(positions)) : this.send(positions), stopped.then(() => null)]);
    if (response === null) return false;
    if (response.partitions.every((a) => a.errorCode === ErrorCode.NONE)) this.sendAhead(positions, response);

    let stale = false;
    let at = 0;
    // a broker with nothing to send may leave the attachment out
    const records = response.records ?? EMPTY;
    for (const answer of response.partitions) {
      // records of each partition lie back to back, in the order of the answers
      const slice = records.subarray(at, at + answer.byteLength);
      at += answer.byteLength;
      const asked = positions.find((p) => p.state.topic === answer.topic && p.state.partition === answer.partition);
      if (!asked || !assignment.isCurrent(asked.state, asked.version)) continue;
      const { state } = asked;
      if (answer.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        this.deps.logger.info('offset out of range, resetting', { topic: state.topic, partition: state.partition, offset: asked.fetchOffset });
        state.position = null;
        state.version++;
        continue;
      }
      if (answer.errorCode !== ErrorCode.NONE) {
        const error = new TopicError(answer.errorCode, answer.errorMessage, state.topic, state.partition);
        if (!error.retriable) throw error;
        this.deps.logger.debug('partition fetch error', { topic: state.topic, partition: state.partition, error: error.message });
        stale = true;
        continue;
      }
      state.highWatermark = answer.highWatermark;
      const fresh = this.decode(state, slice, asked.fetchOffset);
      if (fresh === null) stale = true;
      else if (fresh.length > 0) await this.deps.deliver(state, asked.version, answer.highWatermark, fresh);
    }
    return stale;
  }

  /**
   * The records from `fromOffset` on (a fetch returns whole batches, so the first may start
   * before it), each batch's CRC checked. Null for a batch that fails its check: nothing of
   * the partition is handed out and it is fetched again, as for any retriable partition
   * error, while the other partitions go on.
   */
  private decode(state: PartitionState, slice: Buffer, fromOffset: number): DecodedRecord[] | null {
    try {
      return decodeFetchedRecords(slice, fromOffset);
    } catch (err) {
      const error = asTributaryError(err);
      if (error.code !== ErrorCode.CORRUPT_MESSAGE) throw error;
      this.deps.logger.warn('fetched records failed their check, fetching again', {
        topic: state.topic,
        partition: state.partition,
        offset: fromOffset,
        error: error.message,
      });
      return null;
    }
  }

  /** The fetch sent ahead, if it read from exactly these positions; any other is dropped. */
  private takePrefetch(positions: FetchPosition[]): Promise<FetchResponse | null> | null {
    const ahead = this.prefetch;
    this.prefetch = null;
    if (!ahead || ahead.positions.length !== positions.length) return null;
    const same = ahead.positions.every((a, i) => {
      const p = positions[i];
      return a.state === p.state && a.version === p.version && a.fetchOffset === p.fetchOffset;
    });
    return same ? ahead.response : null;
  }

  /**
   * Sends the next fetch now, from where each partition will be once this response's records
   * are all handed out: after the last whole batch it returned. Only when some partition
   * returned records; a caught-up consumer's next fetch is a long poll anyway.
   */
  private sendAhead(positions: FetchPosition[], response: FetchResponse): void {
    const records = response.records ?? EMPTY;
    let at = 0;
    let moved = false;
    const next = new Map<string, number>();
    for (const answer of response.partitions) {
      const end = nextOffsetIn(records.subarray(at, at + answer.byteLength));
      at += answer.byteLength;
      if (end !== null) next.set(tpKey(answer.topic, answer.partition), end);
    }
    const ahead = positions.map((p): FetchPosition => {
      const end = next.get(tpKey(p.state.topic, p.state.partition));
      if (end === undefined || end <= p.fetchOffset) return p;
      moved = true;
      return { ...p, fetchOffset: end };
    });
    if (!moved) return;
    const response$ = this.send(ahead).catch((err: unknown) => {
      // not lost: the loop then fetches from the real positions, and that fetch reports the error
      this.deps.logger.debug('fetch sent ahead failed', { brokerId: this.deps.brokerId, error: err instanceof Error ? err.message : String(err) });
      return null;
    });
    this.prefetch = { positions: ahead, response: response$ };
  }

  private send(positions: FetchPosition[]): Promise<FetchResponse> {
    const { settings } = this.deps;
    const request: FetchRequest = {
      maxWaitMs: settings.maxWaitMs,
      minBytes: settings.minBytes,
      maxBytes: settings.maxBytes,
      partitions: positions.map((p) => ({
        topic: p.state.topic,
        partition: p.state.partition,
        fetchOffset: p.fetchOffset,
        partitionMaxBytes: settings.maxBytesPerPartition,
      })),
    };
    return this.deps.cluster
      .connectionFor(this.deps.brokerId)
      .request<FetchRequest, FetchResponse>(Events.fetch, request, settings.requestTimeoutMs + settings.maxWaitMs);
  }
}

/** The offset after the last whole batch in a partition's fetched bytes; null when there is none. */
function nextOffsetIn(records: Buffer): number | null {
  let pos = 0;
  let next: number | null = null;
  while (records.length - pos >= BatchLayout.BATCH_HEADER_SIZE) {
    const h = readBatchHeader(records, pos);
    if (h.sizeInBytes < BatchLayout.BATCH_HEADER_SIZE || pos + h.sizeInBytes > records.length) break;
    next = h.lastOffset + 1;
    pos += h.sizeInBytes;
  }
  return next;
}
