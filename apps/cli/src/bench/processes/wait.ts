import { inspect } from 'util';
/** Thrown from a wait's check to end the wait at once (e.g. the process it waits for has died). */
export class StopWaiting extends Error {}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a truthy value; bounded by `timeoutMs` so a process that
 * never becomes ready fails the bench with a message instead of hanging it.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; attempt < 100_000 && Date.now() < deadline; attempt++) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      lastError = err;
    }
    await sleep(everyMs);
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : lastError === undefined ? '' : `: ${inspect(lastError)}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}
