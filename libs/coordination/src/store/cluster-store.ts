import Redis from 'ioredis';
import type { BrokerInfo } from '@tributary/protocol';
import { Keys } from '../keys';
import { SCRIPTS } from '../scripts';
import { acquireController, releaseController } from '../scripts/controller-lease';
import { createTopic } from '../scripts/create-topic';
import { deregisterBroker, liveBrokers, registerBroker } from '../scripts/register-broker';
import type { ClusterSnapshot, PartitionState, TopicRecord, TopicSnapshot } from '../types';
import { ScriptRunner } from './script-runner';

export interface StoreOptions {
  redisUrl: string;
  cluster: string;
}

/** Creates an ioredis connection that gives up on a command instead of queueing it forever. */
export function connectRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: false,
  });
}

/**
 * Reads and writes the cluster's metadata in Redis: brokers, controller lease, topics and
 * partition states. Every change that touches more than one key goes through a Lua script.
 */
export class ClusterStore {
  readonly keys: Keys;
  private readonly scripts: ScriptRunner;

  constructor(
    readonly redis: Redis,
    cluster: string,
  ) {
    this.keys = new Keys(cluster);
    this.scripts = new ScriptRunner(redis, SCRIPTS);
  }

  static connect(options: StoreOptions): ClusterStore {
    return new ClusterStore(connectRedis(options.redisUrl), options.cluster);
  }

  get cluster(): string {
    return this.keys.cluster;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  // ---- brokers ----

  /** Registers or renews; true when the broker was not alive before the call. */
  async registerBroker(info: BrokerInfo, ttlMs: number): Promise<boolean> {
    const k = this.keys;
    const born = await this.scripts.run(registerBroker, [k.brokers, k.broker(info.id), k.changes], [info.id, JSON.stringify(info), ttlMs]);
    return born === 1;
  }

  async deregisterBroker(id: number): Promise<void> {
    await this.scripts.run(deregisterBroker, [this.keys.broker(id), this.keys.changes], [id]);
  }

  async liveBrokers(): Promise<BrokerInfo[]> {
    const rows = (await this.scripts.run(liveBrokers, [this.keys.brokers], [`${this.keys.prefix}broker:`])) as string[];
    return rows.map((r) => JSON.parse(r) as BrokerInfo).sort((a, b) => a.id - b.id);
  }

  // ---- controller ----

  /** Takes or renews the controller lease; returns the controller epoch when held, else 0. */
  async acquireController(brokerId: number, ttlMs: number): Promise<number> {
    const k = this.keys;
    return Number(await this.scripts.run(acquireController, [k.controller, k.controllerEpoch, k.changes], [brokerId, ttlMs]));
  }

  async releaseController(brokerId: number): Promise<void> {
    await this.scripts.run(releaseController, [this.keys.controller, this.keys.changes], [brokerId]);
  }

  async controllerId(): Promise<number> {
    const v = await this.redis.get(this.keys.controller);
    return v === null ? -1 : Number(v);
  }

  // ---- topics ----

  /** Writes a topic and its partitions atomically; 'stale-controller' if the epoch moved on. */
  async createTopic(topic: TopicRecord, partitions: PartitionState[], controllerEpoch: number): Promise<'created' | 'exists' | 'stale-controller'> {
    const k = this.keys;
    const result = await this.scripts.run(
      createTopic,
      [k.topics, k.partitions(topic.name), k.changes, k.controllerEpoch],
      [topic.name, JSON.stringify(topic), controllerEpoch, ...partitions.map((p) => JSON.stringify(p))],
    );
    return result === 1 ? 'created' : result === 0 ? 'exists' : 'stale-controller';
  }

  async getTopic(name: string): Promise<TopicRecord | null> {
    const raw = await this.redis.hget(this.keys.topics, name);
    return raw === null ? null : (JSON.parse(raw) as TopicRecord);
  }

  async partitionStates(topic: string): Promise<PartitionState[]> {
    const raw = await this.redis.hgetall(this.keys.partitions(topic));
    return Object.values(raw)
      .map((v) => JSON.parse(v) as PartitionState)
      .sort((a, b) => a.partition - b.partition);
  }

  /** Everything a broker or client needs to route requests, read in two round trips. */
  async snapshot(): Promise<ClusterSnapshot> {
    const [brokers, controllerId, rawTopics] = await Promise.all([
      this.liveBrokers(),
      this.controllerId(),
      this.redis.hgetall(this.keys.topics),
    ]);
    const records = Object.values(rawTopics).map((v) => JSON.parse(v) as TopicRecord);
    const pipeline = this.redis.pipeline();
    for (const t of records) pipeline.hgetall(this.keys.partitions(t.name));
    const results = records.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const topics = new Map<string, TopicSnapshot>();
    records.forEach((topic, i) => {
      const [err, raw] = results[i] ?? [null, {}];
      if (err) throw err;
      const partitions = Object.values(raw as Record<string, string>)
        .map((v) => JSON.parse(v) as PartitionState)
        .sort((a, b) => a.partition - b.partition);
      topics.set(topic.name, { topic, partitions });
    });
    return { clusterId: this.keys.cluster, controllerId, brokers, topics };
  }
}
