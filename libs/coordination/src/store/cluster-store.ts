import type Redis from 'ioredis';
import type { BrokerInfo } from '@tributary/protocol';
import type { Keys } from '../keys';
import type { BrokerClaim, BrokerIncarnation, ClusterSnapshot, PartitionState, TopicRecord, TopicSnapshot, TopicTombstone } from '../types';
import type { ScriptRunner } from './script-runner';
import type {
  BrokerRegistry,
  ControllerStore,
  ElectLeaderOutcome,
  InterBrokerSecretStore,
  IsrStore,
  LeadershipRefusal,
  LeadershipStore,
  MetadataSource,
  ReassignmentStore,
  TopicDeletionStore,
  TopicDeletionOutcome,
} from './store-interfaces';

/** the deletion job's id: one per topic incarnation, so deleting twice is one job (BullMQ ids have no ':') */
const DELETE_TOPIC_JOB_PREFIX = 'deleteTopic-';

/**
 * Reads and writes the cluster's metadata in Redis: brokers, controller lease, topics and
 * partition states. Every change that touches more than one key goes through a Lua script.
 */
export class ClusterStore
  implements BrokerRegistry, InterBrokerSecretStore, ControllerStore, LeadershipStore, IsrStore, ReassignmentStore, MetadataSource, TopicDeletionStore
{
  // True private fields (not just TypeScript's): nothing outside reaches Redis through a store.
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #scripts: ScriptRunner;

  /** Made by Coordination.connect, which owns (and closes) the connection. */
  constructor(redis: Redis, keys: Keys, scripts: ScriptRunner) {
    this.#redis = redis;
    this.#keys = keys;
    this.#scripts = scripts;
  }

  get cluster(): string {
    return this.#keys.cluster;
  }

  // ---- brokers ----

  /**
   * Claims a broker id for this process (token = its incarnation): the new broker epoch, or
   * the holder when another live process has the id. `takeoverToken` is a previous holder's
   * token the caller proved dead; `epochFloor` the highest broker epoch it has used before.
   */
  async claimBrokerId(info: BrokerInfo, token: string, ttlMs: number, takeoverToken = '', epochFloor = 0): Promise<BrokerClaim> {
    const k = this.#keys;
    const [first, second] = (await this.#scripts.run(
      'claimBrokerId',
      [k.brokers, k.broker(info.id), k.brokerEpochs, k.changes],
      [info.id, JSON.stringify(info), ttlMs, token, takeoverToken, epochFloor],
    )) as [number, number | string];
    if (Number(first) >= 0) return { claimed: true, epoch: Number(first) };
    const holder = typeof second === 'string' && second !== '' ? (JSON.parse(second) as BrokerInfo) : null;
    return { claimed: false, holder };
  }

  /** Renews a claimed id: 'renewed', 'reborn' (it had lapsed, nobody took it), or 'fenced' (another incarnation owns it). */
  async renewBrokerId(info: BrokerInfo, token: string, brokerEpoch: number, ttlMs: number): Promise<'renewed' | 'reborn' | 'fenced'> {
    const k = this.#keys;
    const r = Number(
      await this.#scripts.run(
        'renewBrokerId',
        [k.broker(info.id), k.brokerEpochs, k.brokers, k.changes],
        [info.id, token, brokerEpoch, ttlMs, JSON.stringify(info)],
      ),
    );
    return r === 0 ? 'renewed' : r === 1 ? 'reborn' : 'fenced';
  }

  /** Gives the id up (clean shutdown); a no-op unless `token` still holds it. */
  async releaseBrokerId(id: number, token: string): Promise<boolean> {
    return (await this.#scripts.run('releaseBrokerId', [this.#keys.broker(id), this.#keys.changes], [id, token])) === 1;
  }

  /** The id's current broker epoch from the registry, -1 if it never registered. */
  async brokerEpoch(id: number): Promise<number> {
    const v = await this.#redis.hget(this.#keys.brokerEpochs, String(id));
    return v === null ? -1 : Number(v);
  }

  async liveBrokers(): Promise<BrokerInfo[]> {
    return (await this.liveBrokersWithEpochs()).brokers;
  }

  private async liveBrokersWithEpochs(): Promise<{ brokers: BrokerInfo[]; epochs: Map<number, number> }> {
    // Every key the script reads is declared: the ids come first, then their liveness keys.
    const ids = await this.#redis.hkeys(this.#keys.brokers);
    const rows = (await this.#scripts.run(
      'liveBrokers',
      [this.#keys.brokers, this.#keys.brokerEpochs, ...ids.map((id) => this.#keys.broker(Number(id)))],
      ids,
    )) as string[];
    const brokers: BrokerInfo[] = [];
    const epochs = new Map<number, number>();
    for (let i = 0; i + 1 < rows.length; i += 2) {
      const info = JSON.parse(rows[i]) as BrokerInfo;
      brokers.push(info);
      epochs.set(info.id, Number(rows[i + 1]));
    }
    brokers.sort((a, b) => a.id - b.id);
    return { brokers, epochs };
  }

  // ---- inter-broker secret ----

  /**
   * The cluster's inter-broker secret: `candidate` becomes it unless one is stored already
   * (SET NX on one key, so concurrent first starts agree on the winner).
   */
  async ensureInterBrokerSecret(candidate: string): Promise<{ secret: string; created: boolean }> {
    const key = this.#keys.interBrokerSecret;
    const created = (await this.#redis.set(key, candidate, 'NX')) === 'OK';
    const secret = await this.#redis.get(key);
    if (secret === null) throw new Error(`the inter-broker secret at ${key} vanished right after it was set`);
    return { secret, created };
  }

  // ---- controller ----

  /** Takes or renews the controller lease; returns the controller epoch when held, else 0. */
  async acquireController(brokerId: number, ttlMs: number): Promise<number> {
    const k = this.#keys;
    return Number(await this.#scripts.run('acquireController', [k.controller, k.controllerEpoch, k.changes], [brokerId, ttlMs]));
  }

  async releaseController(brokerId: number): Promise<void> {
    await this.#scripts.run('releaseController', [this.#keys.controller, this.#keys.changes], [brokerId]);
  }

  async controllerId(): Promise<number> {
    const v = await this.#redis.get(this.#keys.controller);
    return v === null ? -1 : Number(v);
  }

  // ---- topics ----

  /** Writes a topic and its partitions atomically; 'stale-controller' if the epoch moved on. */
  async createTopic(
    topic: TopicRecord,
    partitions: PartitionState[],
    controllerEpoch: number,
  ): Promise<'created' | 'exists' | 'deleting' | 'stale-controller'> {
    const k = this.#keys;
    const result = await this.#scripts.run(
      'createTopic',
      [k.topics, k.partitions(topic.name), k.changes, k.controllerEpoch, k.deletingTopics],
      [topic.name, JSON.stringify(topic), controllerEpoch, ...partitions.map((p) => JSON.stringify(p))],
    );
    return result === 1 ? 'created' : result === 0 ? 'exists' : result === -2 ? 'deleting' : 'stale-controller';
  }

  // ---- topic deletion ----

  async deleteTopic(name: string, controllerEpoch: number): Promise<TopicDeletionOutcome> {
    const k = this.#keys;
    const [code, raw] = (await this.#scripts.run(
      'deleteTopic',
      [k.topics, k.partitions(name), k.deletingTopics, k.changes, k.controllerEpoch],
      [name, controllerEpoch, Date.now(), DELETE_TOPIC_JOB_PREFIX],
    )) as [number, string | undefined];
    if (Number(code) === 1 || Number(code) === 2)
      return { outcome: Number(code) === 1 ? 'deleted' : 'deleting', tombstone: JSON.parse(raw ?? '') as TopicTombstone };
    return { outcome: Number(code) === 0 ? 'unknown' : 'stale-controller' };
  }

  async topicTombstones(): Promise<TopicTombstone[]> {
    return Object.values(await this.#redis.hgetall(this.#keys.deletingTopics)).map((v) => JSON.parse(v) as TopicTombstone);
  }

  async ackTopicDeletion(topicId: string, brokerId: number): Promise<void> {
    await this.#redis.sadd(this.#keys.topicDeletionAcks(topicId), String(brokerId));
  }

  async topicDeletionAcks(topicId: string): Promise<number[]> {
    return (await this.#redis.smembers(this.#keys.topicDeletionAcks(topicId))).map(Number).sort((a, b) => a - b);
  }

  /** One DEL (atomic on its own): the replication streams and leader leases of every partition, keyed by the topic's name. */
  async deleteTopicStreamsAndLeases(name: string, partitionCount: number): Promise<number> {
    const keys: string[] = [];
    for (let p = 0; p < partitionCount; p++) keys.push(this.#keys.replicationStream(name, p), this.#keys.leaderLease(name, p));
    return keys.length === 0 ? 0 : this.#redis.del(...keys);
  }

  async clearTopicTombstone(name: string, topicId: string): Promise<boolean> {
    const k = this.#keys;
    return (await this.#scripts.run('clearTopicTombstone', [k.deletingTopics, k.topicDeletionAcks(topicId), k.changes], [name, topicId])) === 1;
  }

  /**
   * Replaces a topic's record if it still reads `expected` (compare-and-set on what the caller
   * read): 'changed' when another change or a deletion came first, 'stale-controller' if the
   * epoch moved on.
   */
  async updateTopic(expected: TopicRecord, next: TopicRecord, controllerEpoch: number): Promise<'updated' | 'changed' | 'stale-controller'> {
    const k = this.#keys;
    const raw = await this.#redis.hget(k.topics, expected.name);
    if (raw === null || !sameRecord(raw, expected)) return 'changed';
    const r = await this.#scripts.run('updateTopic', [k.topics, k.changes, k.controllerEpoch], [expected.name, raw, JSON.stringify(next), controllerEpoch]);
    return r === 1 ? 'updated' : r === 0 ? 'changed' : 'stale-controller';
  }

  /** Adds partitions after the topic's last one, with the record's new count, in one step (see updateTopic for the outcomes). */
  async addPartitions(
    expected: TopicRecord,
    next: TopicRecord,
    added: PartitionState[],
    controllerEpoch: number,
  ): Promise<'updated' | 'changed' | 'stale-controller'> {
    const k = this.#keys;
    const raw = await this.#redis.hget(k.topics, expected.name);
    if (raw === null || !sameRecord(raw, expected)) return 'changed';
    const r = await this.#scripts.run(
      'addPartitions',
      [k.topics, k.partitions(expected.name), k.changes, k.controllerEpoch],
      [expected.name, raw, JSON.stringify(next), controllerEpoch, expected.partitionCount, ...added.map((p) => JSON.stringify(p))],
    );
    return r === 1 ? 'updated' : r === 0 ? 'changed' : 'stale-controller';
  }

  // ---- partition leadership ----

  /** Whether some leader holds the partition's lease now (followers claim once it is gone). */
  async isLeaderLeaseHeld(topic: string, partition: number): Promise<boolean> {
    return (await this.#redis.exists(this.#keys.leaderLease(topic, partition))) === 1;
  }

  /** Renews the leader's lease; false when this broker (this incarnation) is no longer the leader of that epoch. */
  async renewLeaderLease(topic: string, partition: number, broker: BrokerIncarnation, leaderEpoch: number, ttlMs: number): Promise<boolean> {
    const k = this.#keys;
    const r = await this.#scripts.run(
      'renewLeaderLease',
      [k.leaderLease(topic, partition), k.partitions(topic), k.brokerEpochs],
      [partition, broker.id, leaderEpoch, ttlMs, broker.epoch],
    );
    return r === 1;
  }

  /**
   * Claims leadership of a partition whose lease lapsed: the new epoch on success, or why not.
   */
  async claimLeadership(
    topic: string,
    partition: number,
    broker: BrokerIncarnation,
    ttlMs: number,
    allowUnclean: boolean,
    latestLogEpoch = -1,
  ): Promise<{ epoch: number } | { refused: LeadershipRefusal }> {
    const k = this.#keys;
    const r = Number(
      await this.#scripts.run(
        'claimLeadership',
        [k.leaderLease(topic, partition), k.partitions(topic), k.changes, k.brokerEpochs, k.broker(broker.id)],
        [partition, broker.id, ttlMs, allowUnclean ? '1' : '0', latestLogEpoch, broker.epoch],
      ),
    );
    if (r >= 0) return { epoch: r };
    const refused = ({ [-1]: 'lease-held', [-2]: 'not-in-isr', [-3]: 'no-partition', [-4]: 'not-a-replica', [-5]: 'stale-broker-epoch' } as const)[
      r as -1 | -2 | -3 | -4 | -5
    ];
    return { refused };
  }

  /** Compare-and-set of the ISR on (leader, epoch, leader's broker epoch): 'stale' when either moved on. */
  async updateIsr(
    topic: string,
    partition: number,
    leader: BrokerIncarnation,
    leaderEpoch: number,
    isr: number[],
  ): Promise<'updated' | 'stale' | 'leader-missing' | 'stale-broker-epoch'> {
    const k = this.#keys;
    const r = await this.#scripts.run(
      'updateIsr',
      [k.partitions(topic), k.changes, k.brokerEpochs],
      [partition, leader.id, leaderEpoch, JSON.stringify(isr), leader.epoch],
    );
    return r === 1 ? 'updated' : r === 0 ? 'stale' : r === -1 ? 'leader-missing' : 'stale-broker-epoch';
  }

  // ---- reassignment and leader election (controller only, fenced on its epoch) ----

  /** Replica set := target ∪ current, with the adding/removing lists (KIP-455). */
  async beginReassignment(
    topic: string,
    partition: number,
    target: number[],
    controllerEpoch: number,
  ): Promise<'started' | 'unchanged' | 'no-partition' | 'stale-controller'> {
    const k = this.#keys;
    const r = Number(
      await this.#scripts.run('beginReassignment', [k.partitions(topic), k.changes, k.controllerEpoch], [partition, JSON.stringify(target), controllerEpoch]),
    );
    return r === 1 ? 'started' : r === 2 ? 'unchanged' : r === 0 ? 'no-partition' : 'stale-controller';
  }

  /** Replica set := target, once every target replica is in the ISR and the leader is one of them; fenced on `leaderEpoch`. */
  async completeReassignment(
    topic: string,
    partition: number,
    leaderEpoch: number,
    controllerEpoch: number,
  ): Promise<'completed' | 'not-reassigning' | 'no-partition' | 'stale-controller' | 'stale-epoch' | 'not-in-isr' | 'leader-leaving'> {
    const k = this.#keys;
    const r = Number(
      await this.#scripts.run('completeReassignment', [k.partitions(topic), k.changes, k.controllerEpoch], [partition, leaderEpoch, controllerEpoch]),
    );
    const outcomes = {
      1: 'completed',
      2: 'not-reassigning',
      0: 'no-partition',
      [-1]: 'stale-controller',
      [-2]: 'stale-epoch',
      [-3]: 'not-in-isr',
      [-4]: 'leader-leaving',
    } as const;
    return outcomes[r as keyof typeof outcomes];
  }

  /** Moves leadership to `newLeader` (a live ISR replica): the new epoch, or why not. */
  async electLeader(
    topic: string,
    partition: number,
    newLeader: number,
    leaderEpoch: number,
    controllerEpoch: number,
    leaseMs: number,
  ): Promise<ElectLeaderOutcome> {
    const k = this.#keys;
    const r = Number(
      await this.#scripts.run(
        'electLeader',
        [k.partitions(topic), k.leaderLease(topic, partition), k.changes, k.controllerEpoch, k.broker(newLeader)],
        [partition, newLeader, leaderEpoch, controllerEpoch, leaseMs],
      ),
    );
    if (r > 0) return { epoch: r };
    const refused = (
      { 0: 'no-partition', [-1]: 'stale-controller', [-2]: 'stale-epoch', [-3]: 'not-in-isr', [-4]: 'not-live', [-5]: 'already-leader' } as const
    )[r as 0 | -1 | -2 | -3 | -4 | -5];
    return { refused };
  }

  async partitionState(topic: string, partition: number): Promise<PartitionState | null> {
    const raw = await this.#redis.hget(this.#keys.partitions(topic), String(partition));
    return raw === null ? null : parsePartitionState(raw);
  }

  async getTopic(name: string): Promise<TopicRecord | null> {
    const raw = await this.#redis.hget(this.#keys.topics, name);
    return raw === null ? null : (JSON.parse(raw) as TopicRecord);
  }

  async partitionStates(topic: string): Promise<PartitionState[]> {
    const raw = await this.#redis.hgetall(this.#keys.partitions(topic));
    return Object.values(raw)
      .map(parsePartitionState)
      .sort((a, b) => a.partition - b.partition);
  }

  /** Everything a broker or client needs to route requests, read in three round trips (broker ids, then live brokers and topics, then partitions). */
  async snapshot(): Promise<ClusterSnapshot> {
    const [{ brokers, epochs: brokerEpochs }, controllerId, rawTopics, deletingTopics] = await Promise.all([
      this.liveBrokersWithEpochs(),
      this.controllerId(),
      this.#redis.hgetall(this.#keys.topics),
      this.topicTombstones(),
    ]);
    const records = Object.values(rawTopics).map((v) => JSON.parse(v) as TopicRecord);
    const pipeline = this.#redis.pipeline();
    for (const t of records) pipeline.hgetall(this.#keys.partitions(t.name));
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
    return { clusterId: this.#keys.cluster, controllerId, brokers, brokerEpochs, topics, deletingTopics };
  }
}

/** The stored JSON is the record the caller read (the script then compares the exact bytes read here). */
function sameRecord(raw: string, expected: TopicRecord): boolean {
  return JSON.stringify(JSON.parse(raw)) === JSON.stringify(expected);
}

/** Lua's cjson writes an empty array as {}: read lists back as arrays whatever their shape. */
function parsePartitionState(raw: string): PartitionState {
  const s = JSON.parse(raw) as PartitionState;
  const list = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : []);
  const state: PartitionState = { ...s, replicas: list(s.replicas), isr: list(s.isr) };
  // present (possibly empty) only while a reassignment runs
  if (s.addingReplicas !== undefined) state.addingReplicas = list(s.addingReplicas);
  if (s.removingReplicas !== undefined) state.removingReplicas = list(s.removingReplicas);
  return state;
}
