import { GroupStore } from './group/group-store';
import { BullmqJobQueue } from './jobs/bullmq-job-queue';
import type { JobQueue } from './jobs/job-types';
import { Keys } from './keys';
import { ReplicationStreams } from './replication/replication-streams';
import { ChangeFeed } from './store/change-feed';
import { ClusterStore } from './store/cluster-store';
import { RedisHealth } from './store/redis-health';
import { connectRedis } from './store/redis-connection';
import { loadScripts } from './scripts/script-registry';
import { ScriptRunner } from './store/script-runner';
import type { BrokerRegistry, ControllerStore, InterBrokerSecretStore, IsrStore, LeadershipStore, MetadataSource } from './store/store-interfaces';

export interface CoordinationOptions {
  redisUrl: string;
  /** the cluster id: every key lives under its prefix (see Keys) */
  cluster: string;
  /** rejects a command whose reply has not come within this time (see connectRedis) */
  commandTimeoutMs?: number;
  /** entries kept (approximately) in each partition's replication stream; default 10000 */
  replicationStreamMaxLen?: number;
  /** RedisHealth calls the view stale once no round trip completed for this long; default 3000 */
  redisStaleAfterMs?: number;
  /** how often RedisHealth probes; default a third of redisStaleAfterMs */
  redisProbeEveryMs?: number;
}

/**
 * The one way into Redis for broker code: opens the connection and hands out the narrow
 * stores over it, and close() ends every connection they made. Nothing outside this library
 * sees a Redis client or a key, so every Redis command and key lives here.
 */
export class Coordination {
  /** all cluster metadata; the narrow views below are this same object */
  readonly store: ClusterStore;
  readonly registry: BrokerRegistry;
  readonly secrets: InterBrokerSecretStore;
  readonly controller: ControllerStore;
  readonly leadership: LeadershipStore;
  readonly isr: IsrStore;
  readonly metadata: MetadataSource;
  /** replication appends and acks; reader() opens a blocking reader on its own connection */
  readonly streams: ReplicationStreams;
  readonly groups: GroupStore;
  /** the admin job queue (BullMQ); its connections open on first use */
  readonly jobs: JobQueue;
  readonly #jobs: BullmqJobQueue;
  /** whether this process's view of Redis is current; start() it to probe */
  readonly health: RedisHealth;
  private changeFeed: ChangeFeed | null = null;
  private closing: Promise<void> | null = null;
  // True private fields (not just TypeScript's): the connection and keys never leave this library.
  readonly #redis: ReturnType<typeof connectRedis>;
  readonly #keys: Keys;

  private constructor(redis: ReturnType<typeof connectRedis>, keys: Keys, options: CoordinationOptions) {
    this.#redis = redis;
    this.#keys = keys;
    const scripts = new ScriptRunner(redis);
    this.store = new ClusterStore(redis, keys, scripts);
    this.registry = this.secrets = this.controller = this.leadership = this.isr = this.metadata = this.store;
    this.streams = new ReplicationStreams(redis, keys, options.replicationStreamMaxLen ?? 10_000);
    this.groups = new GroupStore(redis, keys, scripts);
    this.jobs = this.#jobs = new BullmqJobQueue(redis, keys.jobsPrefix);
    const staleAfterMs = options.redisStaleAfterMs ?? 3000;
    this.health = new RedisHealth(redis, staleAfterMs, options.redisProbeEveryMs);
  }

  static connect(options: CoordinationOptions): Coordination {
    if (options.cluster === '') throw new Error('Coordination.connect: cluster must not be empty');
    // before connecting: a build without its .lua files fails here, leaving no connection open
    loadScripts();
    return new Coordination(connectRedis(options.redisUrl, options.commandTimeoutMs), new Keys(options.cluster), options);
  }

  get cluster(): string {
    return this.#keys.cluster;
  }

  /** The change channel, on a subscriber connection of its own, opened on first use; start() it to subscribe. */
  get feed(): ChangeFeed {
    this.changeFeed ??= new ChangeFeed(this.#redis, this.#keys.changes);
    return this.changeFeed;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.health.stop();
      this.streams.closeReaders();
      await this.#jobs.close();
      await this.changeFeed?.close();
      await this.#redis.quit().catch(() => this.#redis.disconnect());
    })();
    return this.closing;
  }
}
