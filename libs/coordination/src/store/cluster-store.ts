import Redis from 'ioredis';
import type { BrokerInfo } from '@tributary/protocol';
import { Keys } from '../keys';
import { SCRIPTS } from '../scripts';
import { acquireController, releaseController } from '../scripts/controller-lease';
import { createTopic } from '../scripts/create-topic';
import { claimLeadership, renewLeaderLease, updateIsr } from '../scripts/partition-leadership';
import { deregisterBroker, liveBrokers, registerBroker } from '../scripts/register-broker';
import type { ClusterSnapshot, PartitionState, TopicRecord, TopicSnapshot } from '../types';
import { ScriptRunner } from './script-runner';

export interface StoreOptions {
  redisUrl: string;
  cluster: string;
  /** rejects a command whose reply has not come within this time (see connectRedis) */
  commandTimeoutMs?: number;
}

/**
 * Creates an ioredis connection that gives up on a command instead of queueing it forever.
 * With `commandTimeoutMs`, a command sent on a link that silently drops packets rejects in
 * bounded time too (without it, it waits for the link to heal); its outcome in Redis is then
 * unknown, and callers that changed state must read it back.
 */
export function connectRedis(url: string, commandTimeoutMs?: number): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: false,
    ...(commandTimeoutMs !== undefined ? { commandTimeout: commandTimeoutMs } : {}),
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
    return new ClusterStore(connectRedis(options.redisUrl, options.commandTimeoutMs), options.cluster);
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

  // ---- partition leadership ----

  /** Renews the leader's lease; false when this broker is no longer the leader of that epoch. */
  async renewLeaderLease(topic: string, partition: number, brokerId: number, leaderEpoch: number, ttlMs: number): Promise<boolean> {
    const k = this.keys;
    const r = await this.scripts.run(renewLeaderLease, [k.leaderLease(topic, partition), k.partitions(topic)], [partition, brokerId, leaderEpoch, ttlMs]);
    return r === 1;
  }

  /**
   * Claims leadership of a partition whose lease lapsed: the new epoch on success, or why not.
   */
  async claimLeadership(
    topic: string,
    partition: number,
    brokerId: number,
    ttlMs: number,
    allowUnclean: boolean,
    latestLogEpoch = -1,
  ): Promise<{ epoch: number } | { refused: 'lease-held' | 'not-in-isr' | 'no-partition' | 'not-a-replica' }> {
    const k = this.keys;
    const r = Number(
      await this.scripts.run(
        claimLeadership,
        [k.leaderLease(topic, partition), k.partitions(topic), k.changes],
        [partition, brokerId, ttlMs, allowUnclean ? '1' : '0', latestLogEpoch],
      ),
    );
    if (r >= 0) return { epoch: r };
    const refused = ({ [-1]: 'lease-held', [-2]: 'not-in-isr', [-3]: 'no-partition', [-4]: 'not-a-replica' } as const)[r as -1 | -2 | -3 | -4];
    return { refused };
  }

  /** Compare-and-set of the ISR on (leader, epoch): 'stale' when either moved on. */
  async updateIsr(topic: string, partition: number, leaderId: number, leaderEpoch: number, isr: number[]): Promise<'updated' | 'stale' | 'leader-missing'> {
    const k = this.keys;
    const r = await this.scripts.run(updateIsr, [k.partitions(topic), k.changes], [partition, leaderId, leaderEpoch, JSON.stringify(isr)]);
    return r === 1 ? 'updated' : r === 0 ? 'stale' : 'leader-missing';
  }

  async partitionState(topic: string, partition: number): Promise<PartitionState | null> {
    const raw = await this.redis.hget(this.keys.partitions(topic), String(partition));
    return raw === null ? null : parsePartitionState(raw);
  }

  async getTopic(name: string): Promise<TopicRecord | null> {
    const raw = await this.redis.hget(this.keys.topics, name);
    return raw === null ? null : (JSON.parse(raw) as TopicRecord);
  }

  async partitionStates(topic: string): Promise<PartitionState[]> {
    const raw = await this.redis.hgetall(this.keys.partitions(topic));
    return Object.values(raw)
      .map(parsePartitionState)
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
        .map(parsePartitionState)
        .sort((a, b) => a.partition - b.partition);
      topics.set(topic.name, { topic, partitions });
    });
    return { clusterId: this.keys.cluster, controllerId, brokers, topics };
  }
}

/** Lua's cjson writes an empty array as {}: read lists back as arrays whatever their shape. */
function parsePartitionState(raw: string): PartitionState {
  const s = JSON.parse(raw) as PartitionState;
  const list = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : []);
  return { ...s, replicas: list(s.replicas), isr: list(s.isr) };
}
