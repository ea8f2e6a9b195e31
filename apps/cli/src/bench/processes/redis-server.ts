import * as fs from 'fs';
import * as path from 'path';
import Redis from 'ioredis';
import { redisAnswers } from '../../local-cluster/redis-probe';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import type { ProcessRegistry } from './registry';
import { waitUntil } from './wait';

/**
 * The bench's own redis-server on a free loopback port: the brokers' coordination store and
 * the Redis Streams peer. No AOF and no snapshots, so the Redis Streams rows measure Redis as
 * most people run it for streams: in memory, without fsync.
 */
export class BenchRedis {
  private constructor(
    readonly port: number,
    private readonly process: ManagedProcess,
  ) {}

  static async start(registry: ProcessRegistry, dir: string): Promise<BenchRedis> {
    const port = await freePort();
    fs.mkdirSync(dir, { recursive: true });
    const proc = registry.add(
      new ManagedProcess({
        name: 'redis-server',
        command: 'redis-server',
        args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', path.resolve(dir), '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
      }),
    );
    proc.start();
    const redis = new BenchRedis(port, proc);
    await waitUntil('redis-server to answer PING', () => redis.ping(), 10_000);
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** A fresh client; the caller disconnects it. */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 2, enableAutoPipelining: false });
  }

  private ping(): Promise<boolean> {
    this.process.assertRunning();
    return redisAnswers(this.url);
  }

}
