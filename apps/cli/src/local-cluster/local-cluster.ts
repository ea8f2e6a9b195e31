import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { BrokerProcess, RedisServer, redisAnswers } from '@tributary/process-kit';

export interface LocalClusterOptions {
  brokers: number;
  basePort: number;
  dataDir: string;
  redisUrl: string;
  clusterId: string;
  /** extra environment for every broker */
  brokerEnv?: Record<string, string>;
  log: (line: string) => void;
}

const BROKER_MAIN = path.resolve(__dirname, '..', '..', '..', 'broker', 'src', 'main.js');

/**
 * A local cluster as child processes: a Redis (started from PATH only when none answers at
 * the URL), then N brokers on consecutive ports, each with its own data dir.
 */
export class LocalCluster {
  private redis: RedisServer | null = null;
  private readonly brokers: BrokerProcess[] = [];
  private stopping = false;
  /** one inter-broker secret per run, shared by this run's brokers only (brokerEnv may set its own) */
  private readonly interBrokerSecret = randomBytes(32).toString('base64url');

  constructor(private readonly options: LocalClusterOptions) {}

  get brokerUrls(): string[] {
    return Array.from({ length: this.options.brokers }, (_, i) => `ws://127.0.0.1:${this.options.basePort + i}`);
  }

  async start(): Promise<void> {
    const o = this.options;
    fs.mkdirSync(o.dataDir, { recursive: true });
    if (!(await redisAnswers(o.redisUrl))) await this.startRedis();
    else o.log(`using the Redis at ${o.redisUrl}`);
    for (let i = 0; i < o.brokers; i++) {
      const broker = this.broker(i + 1, o.basePort + i);
      this.brokers.push(broker);
      broker.spawn();
    }
  }

  /** Resolves once every broker answers a metadata request; rejects, with its output, if one exits first. */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    await Promise.all(this.brokers.map((b) => b.waitUntilReady(timeoutMs)));
  }

  private async startRedis(): Promise<void> {
    const url = new URL(this.options.redisUrl);
    if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname)) {
      throw new Error(`no Redis answers at ${this.options.redisUrl}, and it is not local, so none can be started for it`);
    }
    const dir = path.join(this.options.dataDir, 'redis');
    const port = Number(url.port || '6379');
    this.options.log(`starting redis-server on port ${port} (data in ${dir})`);
    // AOF on: a local cluster's topics and offsets survive Ctrl-C and the next `cluster up`.
    this.redis = await RedisServer.start({ port, dir, appendOnly: true, startTimeoutMs: 5000 }).catch((err: Error) => {
      throw new Error(`redis-server did not answer at ${this.options.redisUrl} (is it on PATH?): ${err.message}`);
    });
  }

  private broker(id: number, port: number): BrokerProcess {
    const o = this.options;
    const prefix = `[broker ${id}] `;
    return new BrokerProcess({
      id,
      port,
      redisUrl: o.redisUrl,
      dataDir: path.join(o.dataDir, `broker-${id}`),
      clusterId: o.clusterId,
      main: BROKER_MAIN,
      interBrokerSecret: this.interBrokerSecret,
      env: o.brokerEnv,
      onLine: (line) => o.log(prefix + line),
      onExit: (how) => {
        if (!this.stopping) o.log(`${prefix}exited (${how})`);
      },
    });
  }

  /** Stops brokers first (they deregister from Redis), then the Redis this cluster started. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.brokers.map((b) => b.stop()));
    if (this.redis) await this.redis.stop();
  }
}
