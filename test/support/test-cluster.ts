import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrokerProcess } from './broker-process';
import { freePort } from './free-port';
import { RedisServer } from './redis-server';

export interface TestClusterOptions {
  brokers: number;
  brokerEnv?: Record<string, string>;
  redisAppendOnly?: boolean;
}

/** A private Redis and N real broker processes, each with its own data dir under one temp dir. */
export class TestCluster {
  private constructor(
    readonly redis: RedisServer,
    readonly brokers: BrokerProcess[],
    readonly dir: string,
  ) {}

  static async start(options: TestClusterOptions): Promise<TestCluster> {
    const redis = await RedisServer.start({ appendOnly: options.redisAppendOnly });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cluster-'));
    const clusterId = `test-${process.pid}-${Date.now()}`;
    const brokers: BrokerProcess[] = [];
    for (let i = 1; i <= options.brokers; i++) {
      brokers.push(
        new BrokerProcess({
          id: i,
          port: await freePort(),
          redisUrl: redis.url,
          dataDir: path.join(dir, `broker-${i}`),
          clusterId,
          env: options.brokerEnv,
        }),
      );
    }
    const cluster = new TestCluster(redis, brokers, dir);
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

  async stop(): Promise<void> {
    await Promise.all(this.brokers.map((b) => b.kill('SIGTERM')));
    await this.redis.destroy();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
