import { waitUntil } from '@tributary/process-kit';

// One implementation of "a free loopback port" and of polling serves the CLI, the bench and the tests.
export { freePort, sleep } from '@tributary/process-kit';

/** Polls `check` until it returns truthy or `timeoutMs` passes. */
export function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  return waitUntil(what, check, timeoutMs, everyMs);
}
