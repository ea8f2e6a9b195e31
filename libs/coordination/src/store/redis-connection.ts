import Redis from 'ioredis';

/** TLS for a `rediss://` URL (the URL itself carries the ACL user and password). */
export interface RedisTlsOptions {
  /** PEM of the CA that signed the Redis server's certificate; default: Node's trusted roots */
  ca?: string | Buffer;
}

/**
 * Creates an ioredis connection that gives up on a command instead of queueing it forever.
 * With `commandTimeoutMs`, a command sent on a link that silently drops packets rejects in
 * bounded time too (without it, it waits for the link to heal); its outcome in Redis is then
 * unknown, and callers that changed state must read it back.
 *
 * `rediss://user:password@host:port` is TLS with a Redis ACL user (ioredis reads both from the
 * URL); `tls.ca` adds a private CA. Connections made from this one (`duplicate()`: the change
 * feed's subscriber, replication stream readers) inherit the same options.
 */
export function connectRedis(url: string, commandTimeoutMs?: number, tls?: RedisTlsOptions): Redis {
  const secure = url.startsWith('rediss://');
  return new Redis(url, {
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: false,
    ...(commandTimeoutMs !== undefined ? { commandTimeout: commandTimeoutMs } : {}),
    ...(secure && tls?.ca !== undefined ? { tls: { ca: tls.ca } } : {}),
  });
}
