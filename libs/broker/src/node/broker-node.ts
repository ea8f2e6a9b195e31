import * as fs from 'fs';
import { ChangeFeed, ClusterStore, GroupStore, MetadataCache, RedisHealth, ReplicationStreams } from '@tributary/coordination';
import {
  TOPIC_CONFIG_DEFAULTS,
  type BrokerInfo,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
  type FetchRequest,
  type FetchResponse,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
  type MetadataRequest,
  type MetadataResponse,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
  type ProduceRequest,
  type ProduceResponse,
  type TopicConfig,
} from '@tributary/protocol';
import type { BrokerConfig } from '../config/broker-config';
import { ControllerActor } from '../controller/controller-actor';
import { GroupCoordinatorManager } from '../group/group-coordinator-manager';
import type { PartitionContext } from '../partition/partition-context';
import { ReplicaManager } from '../partition/replica-manager';
import { BrokerLinks } from '../replication/broker-links';
import { ReplicationService } from '../replication/replication-service';
import { OffsetForLeaderEpochHandler } from '../requests/offset-for-leader-epoch-handler';
import { FetchHandler } from '../requests/fetch-handler';
import { ListOffsetsHandler } from '../requests/list-offsets-handler';
import { MetadataHandler } from '../requests/metadata-handler';
import { PartitionLookup } from '../requests/partition-lookup';
import { ProduceHandler } from '../requests/produce-handler';
import { BrokerRegistration } from './broker-registration';

/**
 * One broker: the composition root that wires Redis coordination, the controller, the
 * partition actors and the request handlers, and starts and stops them in order.
 * Transport-free: the WebSocket gateway calls it, and so can tests.
 */
export class BrokerNode {
  readonly info: BrokerInfo;
  private readonly store: ClusterStore;
  private readonly feed: ChangeFeed;
  private readonly metadataCache: MetadataCache;
  /** whether this broker's Redis view is current; metadata answers depend on it */
  private readonly redisHealth: RedisHealth;
  private readonly registration: BrokerRegistration;
  private readonly controller: ControllerActor;
  private readonly replicas: ReplicaManager;
  private readonly metadataHandler: MetadataHandler;
  private readonly produceHandler: ProduceHandler;
  private readonly fetchHandler: FetchHandler;
  private readonly listOffsetsHandler: ListOffsetsHandler;
  private readonly offsetForLeaderEpochHandler: OffsetForLeaderEpochHandler;
  private readonly replication: ReplicationService;
  private readonly links: BrokerLinks;
  /** consumer groups this broker coordinates; the group gateway calls it directly */
  readonly groups: GroupCoordinatorManager;
  private retentionTimer: NodeJS.Timeout | null = null;
  private unsubscribeMetadata: (() => void) | null = null;

  constructor(readonly config: BrokerConfig) {
    this.info = {
      id: config.brokerId,
      host: config.advertisedHost,
      port: config.port,
      url: `ws://${config.advertisedHost}:${config.port}`,
      internalUrl: `ws://${config.interBrokerHost}:${config.port}`,
    };
    const topicDefaults: TopicConfig = { ...TOPIC_CONFIG_DEFAULTS, 'segment.bytes': config.logSegmentBytes };
    // Bounded commands: a blackholed link must not hang a lease claim or an ISR write for the
    // whole cut (the blocking stream reads wait 500 ms, well inside this).
    this.store = ClusterStore.connect({ redisUrl: config.redisUrl, cluster: config.clusterId, commandTimeoutMs: Math.max(5000, config.leaderLeaseMs * 2) });
    this.feed = new ChangeFeed(this.store.redis, this.store.keys.changes);
    this.metadataCache = new MetadataCache(this.store, this.feed, { refreshIntervalMs: config.metadataRefreshMs });
    this.registration = new BrokerRegistration(this.store, this.info, config.brokerSessionTimeoutMs);
    this.controller = new ControllerActor(this.store, {
      brokerId: config.brokerId,
      leaseMs: config.controllerLeaseMs,
      topicDefaults,
      maxReplicationFactor: 100,
      maxPartitions: 100_000,
    });
    const streams = new ReplicationStreams(this.store.redis, this.store.keys, config.replicationStreamMaxLen);
    // Replica fetches answer at once (maxWaitMs 0); a peer that does not answer within a lease is treated as gone.
    this.links = new BrokerLinks(Math.max(1000, config.leaderLeaseMs));
    const context: PartitionContext = {
      brokerId: config.brokerId,
      store: this.store,
      streams,
      links: this.links,
      leaderLeaseMs: config.leaderLeaseMs,
      replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
      replicaStallTimeoutMs: Math.min(config.replicaStallTimeoutMs, config.replicaLagTimeMaxMs),
      brokerUrl: (id) => {
        const peer = this.metadataCache.snapshot.brokers.find((b) => b.id === id);
        return peer ? (peer.internalUrl ?? peer.url) : undefined;
      },
      reloadMetadata: () => void this.metadataCache.reload().catch(() => undefined),
      reportAck: (ack) => this.replication.reportAck(ack),
    };
    this.replicas = new ReplicaManager(
      { brokerId: config.brokerId, dataDir: config.dataDir, topicDefaults, flushIntervalMs: config.logFlushIntervalMs },
      context,
    );
    this.replication = new ReplicationService(
      { brokerId: config.brokerId, tickMs: Math.max(50, Math.floor(config.leaderLeaseMs / 4)) },
      streams,
      this.replicas,
      this.store.redis.duplicate(),
      this.store.redis.duplicate(),
    );
    const lookup = new PartitionLookup(this.metadataCache, this.replicas);
    this.redisHealth = new RedisHealth(this.store.redis, config.leaderLeaseMs);
    this.metadataHandler = new MetadataHandler(this.metadataCache, this.redisHealth);
    this.produceHandler = new ProduceHandler(lookup);
    this.fetchHandler = new FetchHandler(lookup);
    this.listOffsetsHandler = new ListOffsetsHandler(lookup);
    this.offsetForLeaderEpochHandler = new OffsetForLeaderEpochHandler(lookup);
    this.groups = new GroupCoordinatorManager(new GroupStore(this.store.redis, config.clusterId), this.metadataCache, {
      brokerId: config.brokerId,
      leaseMs: config.brokerSessionTimeoutMs,
      tickMs: 100,
      minSessionTimeoutMs: 500,
      maxSessionTimeoutMs: 1_800_000,
    });
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.config.dataDir, { recursive: true });
    await this.feed.start();
    await this.redisHealth.start();
    this.unsubscribeMetadata = this.metadataCache.onUpdate((snap) => this.replicas.reconcile(snap));
    await this.registration.start();
    await this.metadataCache.start();
    await this.controller.start();
    this.replication.start();
    this.groups.start();
    this.retentionTimer = setInterval(() => this.replicas.applyRetention(), this.config.logRetentionCheckIntervalMs);
    this.retentionTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.unsubscribeMetadata?.();
    this.metadataCache.stop();
    this.redisHealth.stop();
    await this.groups.stop();
    await this.controller.stop();
    await this.registration.stop();
    await this.replication.stop();
    this.links.close();
    await this.replicas.closeAll();
    await this.feed.close();
    await this.store.close();
  }

  metadata(request: MetadataRequest): Promise<MetadataResponse> {
    return this.metadataHandler.handle(request);
  }

  produce(request: ProduceRequest): Promise<ProduceResponse> {
    return this.produceHandler.handle(request);
  }

  fetch(request: FetchRequest): Promise<FetchResponse> {
    return this.fetchHandler.handle(request);
  }

  listOffsets(request: ListOffsetsRequest): ListOffsetsResponse {
    return this.listOffsetsHandler.handle(request);
  }

  offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
    return this.offsetForLeaderEpochHandler.handle(request);
  }

  async createTopics(request: CreateTopicsRequest): Promise<CreateTopicsResponse> {
    const response = await this.controller.createTopics(request);
    const created = response.topics.filter((t) => t.errorCode === 0 && !request.validateOnly).map((t) => t.name);
    await this.waitForClaimedLeaders(created);
    // The creator answers only once its own metadata shows the new topics, so a client that
    // asks this broker next finds them.
    await this.metadataCache.reload().catch(() => undefined);
    return response;
  }

  /**
   * A new partition's first leader must claim its epoch in Redis before it acknowledges
   * writes; waiting for that here (bounded) spares clients a round of NOT_LEADER retries.
   */
  private async waitForClaimedLeaders(topics: string[]): Promise<void> {
    const deadline = Date.now() + this.config.leaderLeaseMs * 2;
    for (const topic of topics) {
      while (Date.now() < deadline) {
        const states = await this.store.partitionStates(topic).catch(() => []);
        if (states.length > 0 && states.every((p) => p.leaderEpoch > 0)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}
