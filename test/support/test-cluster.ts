import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrokerProcess } from './broker-process';
import { freePort } from './free-port';
import { RedisServer } from './redis-server';
import { TcpProxy } from './tcp-proxy';
import { Keys } from '@tributary/coordination';

export interface TestClusterOptions {
  brokers: number;
  brokerEnv?: Record<string, string>;
  redisAppendOnly?: boolean;
  /** each broker reaches Redis through its own TCP proxy, which a test can reset, blackhole or delay */
  proxyRedis?: boolean;
}

/** A private Redis and N real broker processes, each with its own data dir under one temp dir. */
export class TestCluster {
  private constructor(
    readonly redis: RedisServer,
    readonly brokers: BrokerProcess[],
    readonly dir: string,
    readonly keys: Keys,
    private readonly proxies: Map<number, TcpProxy>,
  ) {}

  static async start(options: TestClusterOptions): Promise<TestCluster> {
    const redis = await RedisServer.start({ appendOnly: options.redisAppendOnly });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cluster-'));
    const clusterId = `test-${process.pid}-${Date.now()}`;
    const brokers: BrokerProcess[] = [];
    const proxies = new Map<number, TcpProxy>();
    for (let i = 1; i <= options.brokers; i++) {
      const proxy = options.proxyRedis ? await TcpProxy.start(redis.port) : null;
      if (proxy) proxies.set(i, proxy);
      brokers.push(
        new BrokerProcess({
          id: i,
          port: await freePort(),
          redisUrl: proxy ? proxy.redisUrl : redis.url,
          dataDir: path.join(dir, `broker-${i}`),
          clusterId,
          env: options.brokerEnv,
        }),
      );
    }
    const cluster = new TestCluster(redis, brokers, dir, new Keys(clusterId), proxies);
    try {
      await Promise.all(brokers.map((b) => b.start()));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  broker(id: number): BrokerProcess {
    const b = this.brokers.find((x) => x.id === id);
    if (!b) throw new Error(`no broker ${id}`);
    return b;
  }

  /** broker `id`'s Redis link (with `proxyRedis`) */
  proxy(id: number): TcpProxy {
    const p = this.proxies.get(id);
    if (!p) throw new Error(`no Redis proxy for broker ${id}`);
    return p;
  }

  async stop(): Promise<void> {
    for (const p of this.proxies.values()) p.pass();
    await Promise.all(this.brokers.map((b) => b.kill('SIGTERM')));
    for (const p of this.proxies.values()) await p.close();
    await this.redis.destroy();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
