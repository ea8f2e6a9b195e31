/**
 * What a request handler may know about the connection it answers, without the broker
 * depending on the transport: the transport binds a scope to each request's body, and
 * handlers that build large responses or wait long (fetch) are handed it.
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

/*
 * Keyed by the request's body object, which the transport hands unchanged to the handler.
 * This was an AsyncLocalStorage; that turns on promise hooks for the whole process, which
 * every promise on the data path then paid for (measured in docs/perf-log.md).
 */
const scopes = new WeakMap<object, RequestScope>();

/** Makes `scope` the scope of the request whose body is `body` (a body that is no object has none). */
export function bindRequestScope(body: unknown, scope: RequestScope): void {
  if (typeof body === 'object' && body !== null) scopes.set(body, scope);
}

/** The scope bound to this request body, or undefined outside a transport (tests, in-process calls). */
export function requestScopeOf(body: unknown): RequestScope | undefined {
  return typeof body === 'object' && body !== null ? scopes.get(body) : undefined;
}
