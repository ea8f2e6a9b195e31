import { Buffer } from 'buffer';
import { decodeRecordBatches, ErrorCode, Events, type DecodedRecord, type FetchRequest, type FetchResponse } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { asTributaryError, RetriesExhaustedError, TopicError } from '../errors';
import type { Logger } from '../logger/logger';
import { backoffMs, type ResolvedRetryOptions } from '../retry/retrier';
import { sleepUnless } from '../util/timers';
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

/**
 * The fetch loop for one broker: it reads every fetchable assigned partition that broker
 * leads, one fetch request at a time, and returns when it leads none of them any more (the
 * consumer then starts loops for wherever they went).
 */
export class BrokerFetcher {
  private failures = 0;

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
    const { settings, cluster, assignment, stopped } = this.deps;
    const positions = states.map((s) => ({ state: s, version: s.version, fetchOffset: s.position ?? 0 }));
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
    const connection = cluster.connectionFor(this.deps.brokerId);
    const response = await Promise.race([
      connection.request<FetchRequest, FetchResponse>(Events.fetch, request, settings.requestTimeoutMs + settings.maxWaitMs),
      stopped.then(() => null),
    ]);
    if (response === null) return false;

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
      // a fetch returns whole batches, so the first one may start before the position
      const fresh = decodeRecordBatches(slice).filter((r) => r.offset >= asked.fetchOffset);
      if (fresh.length > 0) await this.deps.deliver(state, asked.version, answer.highWatermark, fresh);
    }
    return stale;
  }
}
