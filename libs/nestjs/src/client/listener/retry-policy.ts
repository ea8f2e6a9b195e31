import type { ConsumedMessage, Message } from '@tributary/client';

/**
 * What happens when a listener's handler throws. The record is retried in place (the partition
 * waits; the group's heartbeats go on in the background meanwhile), `retries` times with
 * exponential backoff. Then, with a `deadLetterTopic`, the record is produced there with headers
 * naming where it came from and why, and consumption goes on; without one, the partition is
 * paused at the failed record, so its offset is never committed past it (it is redelivered after
 * a restart or a rebalance). Either way the failure is logged: a record is never skipped silently.
 */
export interface ListenerRetryPolicy {
  /** attempts after the first; default 3 */
  retries: number;
  /** wait before the first retry, doubled each time; default 200 ms */
  initialBackoffMs: number;
  /** cap on one wait; default 5000 ms */
  maxBackoffMs: number;
  /** where a record that failed every attempt goes; absent: pause the partition instead */
  deadLetterTopic?: string;
}

export const DEFAULT_LISTENER_RETRY: ListenerRetryPolicy = { retries: 3, initialBackoffMs: 200, maxBackoffMs: 5_000 };

/** headers a dead-lettered record carries on top of its own */
export const DeadLetterHeaders = {
  topic: 'tributary-dlt-topic',
  partition: 'tributary-dlt-partition',
  offset: 'tributary-dlt-offset',
  error: 'tributary-dlt-error',
} as const;

/** The record a dead-letter topic receives for `message`: its key, value and headers, plus where it came from and why. */
export function deadLetterRecord(message: ConsumedMessage, topic: string, partition: number, error: Error): Message {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [DeadLetterHeaders.topic]: topic,
      [DeadLetterHeaders.partition]: String(partition),
      [DeadLetterHeaders.offset]: String(message.offset),
      [DeadLetterHeaders.error]: error.message,
    },
  };
}

export function backoff(attempt: number, policy: ListenerRetryPolicy): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** attempt);
}

export function resolveRetryPolicy(...layers: (Partial<ListenerRetryPolicy> | undefined)[]): ListenerRetryPolicy {
  const policy: ListenerRetryPolicy = { ...DEFAULT_LISTENER_RETRY };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) Object.assign(policy, { [k]: v });
  }
  if (!Number.isInteger(policy.retries) || policy.retries < 0) throw new RangeError(`listener retries must be a non-negative integer, got ${policy.retries}`);
  if (!(policy.initialBackoffMs >= 0) || !(policy.maxBackoffMs >= 0)) throw new RangeError('listener backoffs must be non-negative');
  return policy;
}

export type Attempted<T> = { ok: true; value: T } | { ok: false; error: Error; attempts: number };

/** Runs `fn` up to retries + 1 times with backoff between; stops retrying once `stopping()` says so. */
export async function withRetries<T>(
  policy: ListenerRetryPolicy,
  fn: (attempt: number) => Promise<T>,
  onRetry: (attempt: number, error: Error) => void,
  stopping: () => boolean,
): Promise<Attempted<T>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { ok: true, value: await fn(attempt + 1) };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(describe(err));
      if (attempt >= policy.retries || stopping()) return { ok: false, error, attempts: attempt + 1 };
      onRetry(attempt + 1, error);
      await new Promise((resolve) => setTimeout(resolve, backoff(attempt, policy)));
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
