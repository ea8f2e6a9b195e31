import type { TributaryError } from '@tributary/protocol';
import { asTributaryError, RetriesExhaustedError } from '../errors';
import { definedOnly } from '../util/objects';
import { sleep } from '../util/timers';

export interface RetryOptions {
  /** how many times to retry after the first attempt */
  retries?: number;
  /** backoff before the first retry, ms */
  initialRetryTime?: number;
  /** backoff cap, ms */
  maxRetryTime?: number;
  /** jitter, as a fraction of the backoff (0.2 = ±20%) */
  factor?: number;
  /** growth of the backoff per retry */
  multiplier?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

/** KafkaJS's defaults, so a KafkaJS user's expectations of timing hold. */
export const DEFAULT_RETRY: ResolvedRetryOptions = {
  retries: 5,
  initialRetryTime: 100,
  maxRetryTime: 30_000,
  factor: 0.2,
  multiplier: 2,
};

export function resolveRetry(options: RetryOptions = {}, base: ResolvedRetryOptions = DEFAULT_RETRY): ResolvedRetryOptions {
  return { ...base, ...definedOnly(options) };
}

/**
 * Backoff before retry number `retry` (0 for the first retry): exponential, jittered so that
 * many clients failing together do not retry in lockstep, and capped.
 */
export function backoffMs(retry: number, options: ResolvedRetryOptions, random: () => number = Math.random): number {
  const base = options.initialRetryTime * Math.pow(options.multiplier, retry);
  const jitter = base * options.factor * (random() * 2 - 1);
  return Math.max(0, Math.min(options.maxRetryTime, Math.round(base + jitter)));
}

export interface RetryHooks {
  /** runs before each backoff, e.g. to refresh metadata; its own failure is ignored */
  onRetry?: (error: TributaryError, retry: number) => Promise<void> | void;
  random?: () => number;
  /** which errors to retry; default: those marked retriable */
  shouldRetry?: (error: TributaryError) => boolean;
}

/**
 * Runs `fn` until it succeeds, throws a non-retriable error (rethrown as is), or has failed
 * retriably `retries + 1` times (then RetriesExhaustedError, carrying the last error).
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: ResolvedRetryOptions, hooks: RetryHooks = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const error = asTributaryError(err);
      if (!(hooks.shouldRetry ?? isRetriable)(error)) throw err;
      if (attempt >= options.retries) throw new RetriesExhaustedError(error, attempt);
      try {
        await hooks.onRetry?.(error, attempt);
      } catch {
        // the next attempt will surface whatever is still wrong
      }
      await sleep(backoffMs(attempt, options, hooks.random));
    }
  }
}

function isRetriable(error: TributaryError): boolean {
  return error.retriable;
}
