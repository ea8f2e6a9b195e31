import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { BrokerProcess, RedisServer, redisAnswers } from '@tributary/process-kit';

export interface LocalClusterOptions {
  brokers: number;
  basePort: number;
  dataDir: string;
  redisUrl: string;
  clusterId: string;
  /** bring a broker that exits back (after the cluster was ready), with a growing pause if it keeps crashing */
  restart?: boolean;
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
  /** set once every broker answered: only then is an exit a crash to repair rather than a failed start */
  private supervising = false;
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  /** one inter-broker secret per run, shared by this run's brokers only (brokerEnv may set its own) */
  private readonly interBrokerSecret = randomBytes(32).toString('base64url');

  constructor(private readonly options: LocalClusterOptions) {}

  get brokerUrls(): string[] {
    return Array.from({ length: this.options.brokers }, (_, i) => `ws://127.0.0.1:${this.options.basePort + i}`);
  }

  async start(): Promise<void> {
    const o = this.options;
    // A port taken (another `cluster up`, another program) fails the run before anything starts, naming the port.
    for (let i = 0; i < o.brokers; i++) await assertPortFree(o.basePort + i);
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
    await Promise.all(
      this.brokers.map((b) =>
        b.waitUntilReady(timeoutMs).catch((err: Error) => {
          throw new Error(`broker ${b.id} (port ${b.options.port}) did not start: ${err.message}`);
        }),
      ),
    );
    this.supervising = true;
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
    let crashes = 0;
    let startedAt = Date.now();
    const broker: BrokerProcess = new BrokerProcess({
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
        if (this.stopping) return;
        if (!o.restart || !this.supervising) return o.log(`${prefix}exited (${how})`);
        // a broker that ran a minute counts as healthy again; one that keeps crashing waits longer each time (to 30 s)
        crashes = Date.now() - startedAt > 60_000 ? 1 : crashes + 1;
        const delayMs = Math.min(30_000, 500 * 2 ** (crashes - 1));
        o.log(`${prefix}exited (${how}); restarting it in ${delayMs} ms (--restart)`);
        const timer = setTimeout(() => {
          this.restartTimers.delete(timer);
          if (this.stopping) return;
          startedAt = Date.now();
          broker.spawn();
          broker.waitUntilReady(30_000).then(
            () => o.log(`${prefix}restarted: ${broker.url} answers again`),
            () => undefined, // its exit is reported (and repaired) by this handler
          );
        }, delayMs);
        this.restartTimers.add(timer);
      },
    });
    return broker;
  }

  /** Stops brokers first (they deregister from Redis), then the Redis this cluster started. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.restartTimers) clearTimeout(t);
    await Promise.all(this.brokers.map((b) => b.stop()));
    if (this.redis) await this.redis.stop();
  }
}

/** Fails, naming the port, when something listens on it already (checked on all interfaces, as the broker's default binds). */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `port ${port} is already in use (another \`tributary cluster up\`, or another program): pick a free one with --port`
            : `port ${port} cannot be used: ${err.message}`,
        ),
      ),
    );
    server.listen(port, () => server.close(() => resolve()));
  });
}
