import { AsyncLocalStorage } from 'async_hooks';

/**
 * What a request handler may know about the connection it answers, without the broker
 * depending on the transport: the transport runs each request inside a scope, and handlers
 * that build large responses or wait long (fetch) consult it.
 */
export interface RequestScope {
  /** aborted when the connection closes: a long poll for it ends at once */
  readonly signal: AbortSignal;
  /** resolves when the connection's unsent response bytes are under its limit (or the signal aborts) */
  whenWritable(): Promise<void>;
  /** response bytes this request may still build without the connection going over its limit */
  sendBudget(): number;
  /** the bytes this request's response will add, held against the budget until it is sent */
  reserve(bytes: number): void;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` with `scope` visible to every handler it calls, synchronously or after awaits. */
export function runInRequestScope<R>(scope: RequestScope, fn: () => R): R {
  return storage.run(scope, fn);
}

/** The scope of the request being handled, or undefined outside a transport (tests, in-process calls). */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
