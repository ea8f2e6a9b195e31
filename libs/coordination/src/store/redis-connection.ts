import Redis from 'ioredis';

/**
 * Creates an ioredis connection that gives up on a command instead of queueing it forever.
 * With `commandTimeoutMs`, a command sent on a link that silently drops packets rejects in
 * bounded time too (without it, it waits for the link to heal); its outcome in Redis is then
 * unknown, and callers that changed state must read it back.
 */
export function connectRedis(url: string, commandTimeoutMs?: number): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: false,
    ...(commandTimeoutMs !== undefined ? { commandTimeout: commandTimeoutMs } : {}),
  });
}
