import { inspect } from 'util';
/** Thrown from a wait's check to end the wait at once (e.g. the process it waits for has died). */
export class StopWaiting extends Error {}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a check still in flight at the deadline may take to answer before the wait gives up on it. */
const IN_FLIGHT_GRACE_MS = 5_000;

class CheckHung extends Error {}

/** `check()` bounded by `ms`, so a check that never settles cannot turn a bounded wait into a hang. */
async function bounded<T>(check: () => Promise<T> | T, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckHung(`a check for ${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` until it returns a truthy value; bounded by `timeoutMs` so a process that
 * never becomes ready fails its caller with a message instead of hanging it. A check that
 * throws StopWaiting (e.g. the process it waits for died) ends the wait at once.
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
      const value = await bounded(check, Math.max(0, deadline - Date.now()) + IN_FLIGHT_GRACE_MS, what);
      if (value) return value;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      lastError = err;
      if (err instanceof CheckHung) break;
    }
    await sleep(everyMs);
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : lastError === undefined ? '' : `: ${inspect(lastError)}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}
