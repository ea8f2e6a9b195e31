import Redis from 'ioredis';

/**
 * Whether a Redis answers PING at `url` within a second. The command timeout matters: a
 * port held by something that accepts connections but never speaks RESP would otherwise
 * leave PING pending forever.
 */
export async function redisAnswers(url: string): Promise<boolean> {
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, commandTimeout: 1000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}
