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
  const redis = new Redis(url, {
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    // An auto-pipelined command is serialized into a buffer and then concatenated again with
    // its neighbours: two copies of every replicated batch. Sent on its own, XADD's batch is
    // copied once into the command's buffer (measured in docs/perf-log.md).
    autoPipeliningIgnoredCommands: ['xadd'],
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: false,
    ...(commandTimeoutMs !== undefined ? { commandTimeout: commandTimeoutMs } : {}),
    ...(secure && tls?.ca !== undefined ? { tls: { ca: tls.ca } } : {}),
  });
  // Without a listener ioredis prints every failed reconnect as an "Unhandled error event". The
  // failure reaches callers through their commands; the last one is kept to say why (a refused
  // password, an untrusted certificate) when the broker cannot start.
  redis.on('error', (err: Error) => lastErrors.set(redis, err));
  redis.on('ready', () => lastErrors.delete(redis));
  return redis;
}

const lastErrors = new WeakMap<Redis, Error>();

/** The last connection error of a client made by connectRedis, cleared once it is ready again. */
export function lastConnectionError(redis: Redis): Error | undefined {
  return lastErrors.get(redis);
}

/** `url` with its password replaced, fit for a log line or an error message. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    // only for messages: the URL itself is validated where the connection is made
    return '(an unparseable REDIS_URL)';
  }
}

/** The start of a broker failed because the coordination Redis could not be used: says why, without the password. */
export class CoordinationUnavailableError extends Error {
  readonly code = 'COORDINATION_UNAVAILABLE';

  constructor(url: string, cause: Error) {
    super(`cannot use the coordination Redis at ${redactRedisUrl(url)}: ${cause.message}${hint(cause.message)}`, { cause });
    this.name = 'CoordinationUnavailableError';
  }
}

function hint(message: string): string {
  if (/WRONGPASS|NOAUTH|NOPERM/.test(message)) return ' (check the user, password and ACL permissions in REDIS_URL)';
  if (/certificate|self.signed|SSL|TLS/i.test(message)) return ' (for a private CA set REDIS_TLS_CA_PATH; the certificate must name the host in REDIS_URL)';
  return '';
}
