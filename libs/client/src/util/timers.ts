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

/**
 * Runs `fn` once the current turn of the event loop is over: after every append queued by
 * this turn's promise callbacks, without the clamped wait of setTimeout(fn, 0) (at least
 * 1 ms in Node, spent idle while a request could already be on the wire). setImmediate
 * where it exists (Node); browsers get setTimeout(fn, 0).
 */
export function afterThisTurn(fn: () => void): void {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') immediate(fn);
  else setTimeout(fn, 0);
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
