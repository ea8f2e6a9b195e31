import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrokerCluster, type BrokerClusterOptions } from './processes/broker-cluster';
import { natsServerBinary, NatsServers } from './processes/nats-server';
import { BenchRedis } from './processes/redis-server';
import { ProcessRegistry } from '@tributary/process-kit';

/**
 * What a run shares: one temp dir, one Redis, the NATS servers (started when first needed),
 * and the registry that stops every process at the end. Each scenario starts its own broker
 * cluster under a fresh cluster id, so scenarios do not see each other's topics or memory.
 */
export class BenchEnvironment {
  readonly registry = new ProcessRegistry();
  readonly workDir: string;
  readonly natsBinary: string | undefined;
  /** why the NATS rows are skipped, when they are */
  readonly natsUnavailable: string | undefined;
  private redisServer: BenchRedis | null = null;
  private natsR1: Promise<NatsServers> | null = null;
  private natsR3: Promise<NatsServers> | null = null;
  private clusters = 0;

  constructor(options: { useNats: boolean }) {
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-'));
    this.registry.onCleanup(() => fs.rmSync(this.workDir, { recursive: true, force: true }));
    this.natsBinary = options.useNats ? natsServerBinary() : undefined;
    this.natsUnavailable = !options.useNats ? 'skipped: --no-nats' : this.natsBinary === undefined ? 'skipped: nats-server is not on PATH' : undefined;
  }

  async start(): Promise<void> {
    this.redisServer = await BenchRedis.start(this.registry, path.join(this.workDir, 'redis'));
  }

  get redis(): BenchRedis {
    if (!this.redisServer) throw new Error('the bench environment is not started');
    return this.redisServer;
  }

  async startCluster(name: string, options: Partial<Pick<BrokerClusterOptions, 'env' | 'nodeArgs' | 'brokers'>> = {}): Promise<BrokerCluster> {
    const n = ++this.clusters;
    return BrokerCluster.start(this.registry, {
      brokers: options.brokers ?? 3,
      redisUrl: this.redis.url,
      dataDir: path.join(this.workDir, `cluster-${n}-${name}`),
      clusterId: `bench-${process.pid}-${n}-${name}`,
      env: options.env,
      nodeArgs: options.nodeArgs,
    });
  }

  /** The single JetStream server, or null when nats-server is not on PATH. */
  natsSingle(): Promise<NatsServers> | null {
    const binary = this.natsBinary;
    if (!binary) return null;
    this.natsR1 ??= NatsServers.startSingle(this.registry, binary, this.workDir);
    return this.natsR1;
  }

  /** The three-node JetStream cluster, or null when nats-server is not on PATH. */
  natsCluster(): Promise<NatsServers> | null {
    const binary = this.natsBinary;
    if (!binary) return null;
    this.natsR3 ??= NatsServers.startCluster(this.registry, binary, this.workDir);
    return this.natsR3;
  }

  /** Stops NATS servers early, so idle peers do not share the CPU with later scenarios. */
  async stopNats(): Promise<void> {
    const started = [this.natsR1, this.natsR3].filter((p): p is Promise<NatsServers> => p !== null);
    this.natsR1 = null;
    this.natsR3 = null;
    for (const s of started) await (await s.catch(() => null))?.stop();
  }

  dir(name: string): string {
    const d = path.join(this.workDir, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  async stop(): Promise<void> {
    await this.registry.stopAll();
  }
}
