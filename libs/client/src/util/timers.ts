/** Timer helpers that behave the same in Node and in browsers. */
export type Timer = ReturnType<typeof setTimeout>;

/** setTimeout fires at once for delays above 2^31-1 ms, which would turn a long timeout into none. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Lets a background timer (e.g. the periodic metadata refresh) not keep a Node process alive;
 * browsers return a number, which has no unref, so this is a no-op there.
 */
export function unrefTimer(timer: Timer): void {
  const t = timer as { unref?: () => void };
  if (typeof t.unref === 'function') t.unref();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves after `ms`, or as soon as `abort` resolves, whichever comes first. */
export function sleepUnless(ms: number, abort: Promise<void>): Promise<void> {
  let timer: Timer | undefined;
  const slept = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([slept, abort]).finally(() => clearTimeout(timer));
}
