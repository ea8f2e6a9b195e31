import { randomBytes } from 'crypto';
import { performance } from 'perf_hooks';
import { waitUntil } from '@tributary/process-kit';

export interface ThroughputResult {
  /** records acknowledged (produce) or received (consume) */
  records: number;
  seconds: number;
  /** the time cap stopped the run before every record was done */
  capped: boolean;
}

export interface WindowedRunOptions {
  /** records to move */
  total: number;
  /** records per operation (one send, one pipeline, one publish) */
  chunk: number;
  /** operations in flight at once */
  window: number;
  /** no new operation starts after this; the run then reports what it did */
  timeCapMs: number;
  /** moves records [offset, offset + count); resolves when they are acknowledged */
  op: (offset: number, count: number) => Promise<void>;
  onProgress?: (recordsDone: number) => void;
}

/**
 * Keeps `window` operations in flight until `total` records are done or the time cap is
 * reached. Each completion starts the next operation, so no polling and no Promise.race
 * over a large set. The first failure fails the run: a benchmark that lost records would
 * report a rate that means nothing.
 */
export function runWindowed(o: WindowedRunOptions): Promise<ThroughputResult> {
  const start = performance.now();
  const deadline = start + o.timeCapMs;
  let issued = 0;
  let completed = 0;
  let inFlight = 0;
  let failed = false;
  return new Promise<ThroughputResult>((resolve, reject) => {
    const finishIfDone = (): void => {
      const noMore = issued >= o.total || performance.now() >= deadline;
      if (inFlight === 0 && noMore && !failed) {
        failed = true; // settles once
        resolve({ records: completed, seconds: (performance.now() - start) / 1000, capped: completed < o.total });
      }
    };
    const pump = (): void => {
      while (!failed && inFlight < o.window && issued < o.total && performance.now() < deadline) {
        const offset = issued;
        const count = Math.min(o.chunk, o.total - issued);
        issued += count;
        inFlight++;
        o.op(offset, count).then(
          () => {
            inFlight--;
            completed += count;
            o.onProgress?.(completed);
            pump();
          },
          (err: unknown) => {
            if (failed) return;
            failed = true;
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      }
      finishIfDone();
    };
    pump();
  });
}

/** Incompressible bytes, so no system gains from compressing a repetitive payload. */
export function recordValue(size: number): Buffer {
  return randomBytes(size);
}

/** Records for warming a path up before timing it: JIT, connections, first segment files. */
export function warmupCount(total: number): number {
  return Math.max(1, Math.min(20_000, Math.floor(total / 10)));
}

export function rate(records: number, seconds: number): number {
  return seconds > 0 ? records / seconds : 0;
}

export function mbPerSec(records: number, size: number, seconds: number): number {
  return seconds > 0 ? (records * size) / seconds / 1e6 : 0;
}

/** A bounded wait for a condition that other callbacks make true (e.g. a consumer's count); false when it never held. */
export async function waitForCondition(check: () => boolean, timeoutMs: number, everyMs = 5): Promise<boolean> {
  return waitUntil('a bench condition', check, timeoutMs, everyMs).then(
    () => true,
    () => check(),
  );
}
