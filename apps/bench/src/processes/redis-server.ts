import Redis from 'ioredis';
import { RedisServer, type ProcessRegistry } from '@tributary/process-kit';

/**
 * The bench's own redis-server on a free loopback port: the brokers' coordination store and
 * the Redis Streams peer. No AOF and no snapshots, so the Redis Streams rows measure Redis as
 * most people run it for streams: in memory, without fsync.
 */
export class BenchRedis {
  private constructor(private readonly server: RedisServer) {}

  static async start(registry: ProcessRegistry, dir: string): Promise<BenchRedis> {
    return new BenchRedis(await RedisServer.start({ dir, appendOnly: false, registry, startTimeoutMs: 10_000 }));
  }

  get port(): number {
    return this.server.port;
  }

  get url(): string {
    return this.server.url;
  }

  get pid(): number | undefined {
    return this.server.pid;
  }

  /** A fresh client; the caller disconnects it. */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 2, enableAutoPipelining: false });
  }
}
