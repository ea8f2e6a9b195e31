import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { redisAnswers } from './redis-probe';

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
  private redis: ChildProcess | null = null;
  private readonly brokers: ChildProcess[] = [];
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
    for (let i = 0; i < o.brokers; i++) this.brokers.push(this.startBroker(i + 1, o.basePort + i));
  }

  private async startRedis(): Promise<void> {
    const url = new URL(this.options.redisUrl);
    if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname)) {
      throw new Error(`no Redis answers at ${this.options.redisUrl}, and it is not local, so none can be started for it`);
    }
    const dir = path.join(this.options.dataDir, 'redis');
    fs.mkdirSync(dir, { recursive: true });
    const port = url.port || '6379';
    this.options.log(`starting redis-server on port ${port} (data in ${dir})`);
    this.redis = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], {
      stdio: 'ignore',
    });
    this.redis.on('error', (err) => this.options.log(`cannot start redis-server: ${err.message} (is it on PATH?)`));
    for (let i = 0; i < 50; i++) {
      if (await redisAnswers(this.options.redisUrl)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server did not answer at ${this.options.redisUrl}`);
  }

  private startBroker(id: number, port: number): ChildProcess {
    const o = this.options;
    const child = spawn(process.execPath, [BROKER_MAIN], {
      env: {
        ...process.env,
        BROKER_ID: String(id),
        PORT: String(port),
        REDIS_URL: o.redisUrl,
        DATA_DIR: path.join(o.dataDir, `broker-${id}`),
        CLUSTER_ID: o.clusterId,
        INTER_BROKER_SECRET: this.interBrokerSecret,
        ...o.brokerEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `[broker ${id}] `;
    const forward = (d: Buffer) => d.toString().split('\n').filter(Boolean).forEach((l) => o.log(prefix + l));
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('exit', (code, signal) => {
      if (!this.stopping) o.log(`${prefix}exited (${signal ?? code})`);
    });
    return child;
  }

  /** Stops brokers first (they deregister from Redis), then the Redis this cluster started. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.brokers.map((b) => stopChild(b)));
    if (this.redis) await stopChild(this.redis);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
