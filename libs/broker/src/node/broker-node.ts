import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { setMaxOpenSegmentFiles } from '@tributary/log';
import { Coordination, MetadataCache, type ChangeFeed, type ClusterStore, type RedisHealth, type TopicTombstone } from '@tributary/coordination';
import {
  ErrorCode,
  TOPIC_CONFIG_DEFAULTS,
  toErrorResponse,
  TributaryError,
  type DeleteTopicResult,
  type DeleteTopicsRequest,
  type DeleteTopicsResponse,
  type DescribeJobRequest,
  type DescribeJobResponse,
  type ListJobsRequest,
  type ListJobsResponse,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponse,
  type DecommissionBrokerRequest,
  type DecommissionBrokerResponse,
  type ElectLeadersRequest,
  type ElectLeadersResponse,
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponse,
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
  type InitProducerIdRequest,
  type InitProducerIdResponse,
  type OffsetForLeaderEpochResponse,
  type ReplicaProgressReport,
  type ProduceRequest,
  type ProduceResponse,
  type TopicConfig,
  type AlterConfigsRequest,
  type AlterConfigsResponse,
  type CreatePartitionsRequest,
  type CreatePartitionsResponse,
  type DeleteRecordsRequest,
  type DeleteRecordsResponse,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
} from '@tributary/protocol';
import type { BrokerConfig } from '../config/broker-config';
import { PRODUCE_FRAME_OVERHEAD } from '../config/limits-config';
import * as timings from '../config/derived-timings';
import { ControllerActor } from '../controller/controller-actor';
import { ReassignmentController } from '../controller/reassignment-controller';
import { registerReassignmentJobs } from '../controller/reassignment-jobs';
import { listReassignments } from '../requests/list-reassignments';
import { GroupCoordinatorManager } from '../group/group-coordinator-manager';
import { JobRunner } from '../jobs/job-runner';
import { DELETE_TOPIC_JOB, deleteTopicJob, type DeleteTopicArgs } from '../jobs/delete-topic-job';
import type { PartitionContext } from '../partition/partition-context';
import { ReplicaManager } from '../partition/replica-manager';
import { InterBrokerAuth } from '../auth/inter-broker-auth';
import { SecurityService } from '../security/security-service';
import { BrokerLinks } from '../replication/broker-links';
import { QuotaManager } from '../quotas/quota-manager';
import { peerTlsOptions } from '../security/peer-tls';
import { ReplicationService } from '../replication/replication-service';
import { DeleteRecordsHandler } from '../requests/delete-records-handler';
import { DescribeConfigsHandler } from '../requests/describe-configs-handler';
import { OffsetForLeaderEpochHandler } from '../requests/offset-for-leader-epoch-handler';
import { FetchHandler } from '../requests/fetch-handler';
import type { RequestScope } from '../requests/request-scope';
import { ListOffsetsHandler } from '../requests/list-offsets-handler';
import { MetadataHandler } from '../requests/metadata-handler';
import { PartitionLookup } from '../requests/partition-lookup';
import { ProduceHandler } from '../requests/produce-handler';
import { InitProducerIdHandler } from '../requests/init-producer-id-handler';
import { reasonOf, silentLogger, type BrokerLogger } from '../logging/broker-logger';
import { BrokerCounters } from '../metrics/broker-counters';
import { groupLags, type GroupPartitionLag } from '../metrics/group-lag';
import { observeBroker, type BrokerObservation } from '../metrics/broker-observation';
import { BrokerRegistration } from './broker-registration';
import { DataDirLock } from './data-dir-lock';

/** how often the deletion job looks for the brokers' acknowledgements */
const DELETION_ACK_POLL_MS = 200;
/** a live broker that has not removed a deleted topic's replicas by then fails the attempt (retried) */
const DELETION_ACK_TIMEOUT_MS = 60_000;

/**
 * One broker: the composition root that wires Redis coordination, the controller, the
 * partition actors and the request handlers, and starts and stops them in order.
 * Transport-free: the WebSocket gateway calls it, and so can tests.
 */
export class BrokerNode {
  readonly info: BrokerInfo;
  /** every Redis connection this broker opens, closed together at stop */
  private readonly coordination: Coordination;
  private readonly store: ClusterStore;
  private readonly feed: ChangeFeed;
  private readonly metadataCache: MetadataCache;
  /** random per process start: tells this incarnation from any other holding the same broker id */
  readonly incarnationToken: string = randomUUID();
  /** made at start, once the data directory lock says whether a dead predecessor can be taken over */
  private registration: BrokerRegistration | null = null;
  private readonly dataDirLock: DataDirLock;
  private readonly fencedListeners = new Set<(err: TributaryError) => void>();
  private stopping: Promise<void> | null = null;
  private fenced = false;
  /** whether this broker's Redis view is current; metadata answers depend on it */
  private readonly redisHealth: RedisHealth;
  private readonly controller: ControllerActor;
  /** reassignment, decommission and leader elections, acting while this broker is the controller */
  private readonly reassignments: ReassignmentController;
  private readonly replicas: ReplicaManager;
  private readonly metadataHandler: MetadataHandler;
  private readonly produceHandler: ProduceHandler;
  private readonly initProducerIdHandler: InitProducerIdHandler;
  private readonly fetchHandler: FetchHandler;
  private readonly listOffsetsHandler: ListOffsetsHandler;
  private readonly offsetForLeaderEpochHandler: OffsetForLeaderEpochHandler;
  private readonly deleteRecordsHandler: DeleteRecordsHandler;
  private readonly describeConfigsHandler: DescribeConfigsHandler;
  private readonly replication: ReplicationService;
  private readonly links: BrokerLinks;
  /** the inter-broker handshake over the cluster secret; the gateway checks peers with it */
  readonly interBroker: InterBrokerAuth;
  /** consumer groups this broker coordinates; the group gateway calls it directly */
  readonly groups: GroupCoordinatorManager;
  /** admin jobs (BullMQ): any broker submits and reads them; the worker runs only on the controller */
  readonly jobs: JobRunner;
  /** client quotas (defaults from settings, overrides from Redis); the transport measures and throttles with it */
  readonly quotas: QuotaManager;
  /** client authentication, users and ACLs; the gateways ask it before running a request */
  readonly security: SecurityService;
  private retentionTimer: NodeJS.Timeout | null = null;
  private unsubscribeControllerRole: (() => void) | null = null;
  /** deleted topic incarnations this broker told the deletion job it holds nothing of */
  private readonly ackedDeletions = new Set<string>();
  private unsubscribeMetadata: (() => void) | null = null;

  /** counters the metrics endpoint reads (libs/broker holds no metrics library) */
  readonly counters = new BrokerCounters();
  private started = false;
  private readonly logger: BrokerLogger;

  constructor(
    readonly config: BrokerConfig,
    logger: BrokerLogger = silentLogger,
  ) {
    this.logger = logger;
    // A TLS listener is advertised as wss://, to clients and to the other brokers alike.
    const scheme = config.security.tlsCertPath !== undefined ? 'wss' : 'ws';
    this.info = {
      id: config.brokerId,
      host: config.advertisedHost,
      port: config.port,
      url: `${scheme}://${config.advertisedHost}:${config.port}`,
      internalUrl: `${scheme}://${config.interBrokerHost}:${config.port}`,
    };
    const topicDefaults: TopicConfig = { ...TOPIC_CONFIG_DEFAULTS, 'segment.bytes': config.logSegmentBytes };
    setMaxOpenSegmentFiles(config.logMaxOpenSegmentFiles);
    // Bounded commands: a blackholed link must not hang a lease claim or an ISR write for the
    // whole cut (the blocking stream reads wait 500 ms, well inside this).
    this.coordination = Coordination.connect({
      redisUrl: config.redisUrl,
      cluster: config.clusterId,
      commandTimeoutMs: timings.redisCommandTimeoutMs(config.leaderLeaseMs),
      replicationStreamMaxLen: config.replicationStreamMaxLen,
      redisStaleAfterMs: config.leaderLeaseMs,
      redisTls: config.security.redisTlsCaPath !== undefined ? { ca: readFileSync(config.security.redisTlsCaPath) } : undefined,
    });
    this.store = this.coordination.store;
    this.feed = this.coordination.feed;
    this.metadataCache = new MetadataCache(this.store, this.feed, {
      refreshIntervalMs: config.metadataRefreshMs,
      logger: logger.child({ component: 'metadata' }),
    });
    this.dataDirLock = new DataDirLock(config.dataDir);
    this.controller = new ControllerActor(this.store, {
      brokerId: config.brokerId,
      leaseMs: config.controllerLeaseMs,
      topicDefaults,
      maxReplicationFactor: timings.MAX_REPLICATION_FACTOR,
      maxPartitions: timings.MAX_PARTITIONS_PER_TOPIC,
      maxPartitionsPerBroker: config.limits.maxPartitionsPerBroker,
      maxMessageBytes: config.maxRequestBytes - PRODUCE_FRAME_OVERHEAD,
      logger,
    });
    this.reassignments = new ReassignmentController(
      this.store,
      () => this.controller.activeEpoch,
      {
        brokerId: config.brokerId,
        leaderLeaseMs: config.leaderLeaseMs,
        maxReplicationFactor: timings.MAX_REPLICATION_FACTOR,
        autoLeaderRebalanceEnable: config.autoLeaderRebalanceEnable,
        leaderImbalancePerBrokerPercentage: config.leaderImbalancePerBrokerPercentage,
        leaderImbalanceCheckIntervalMs: config.leaderImbalanceCheckIntervalMs,
      },
      (type, args) => this.jobs.submit(type, args),
    );
    this.jobs = new JobRunner(this.coordination.jobs, {
      brokerId: config.brokerId,
      attempts: config.adminJobAttempts,
      backoffMs: config.adminJobBackoffMs,
      lockDurationMs: config.adminJobLockMs,
      stepDelayMs: config.adminJobStepDelayMs,
    });
    registerReassignmentJobs(this.jobs, {
      store: this.store,
      controllerEpoch: () => this.controller.activeEpoch,
      rebalanceLeaders: () => this.reassignments.elections.rebalanceLeaders(),
    });
    this.jobs.register(
      deleteTopicJob({ store: this.store, groups: this.coordination.groups, pollMs: DELETION_ACK_POLL_MS, ackTimeoutMs: DELETION_ACK_TIMEOUT_MS }),
    );
    const streams = this.coordination.streams;
    // Replica fetches answer at once (maxWaitMs 0); a peer that does not answer within a lease is treated as gone.
    this.interBroker = new InterBrokerAuth(config.clusterId, config.brokerId, config.interBrokerSecret);
    this.links = new BrokerLinks(timings.interBrokerRequestTimeoutMs(config.leaderLeaseMs), this.interBroker, () => peerTlsOptions(config.security));
    const { quotaProducerByteRate, quotaConsumerByteRate, quotaRequestRate } = config.security;
    this.quotas = new QuotaManager(
      { producerByteRate: quotaProducerByteRate, consumerByteRate: quotaConsumerByteRate, requestRate: quotaRequestRate },
      this.coordination.quotas,
      {
        warn: (message) =>
          process.stderr.write(`${JSON.stringify({ level: 'warn', time: new Date().toISOString(), brokerId: config.brokerId, event: 'quotas', message })}\n`),
      },
    );
    const brokerUrl = (id: number): string | undefined => {
      const peer = this.metadataCache.snapshot.brokers.find((b) => b.id === id);
      return peer ? (peer.internalUrl ?? peer.url) : undefined;
    };
    const context: PartitionContext = {
      brokerId: config.brokerId,
      brokerEpoch: () => this.brokerEpoch,
      replicaBrokerEpoch: (id) => this.metadataCache.snapshot.brokerEpochs.get(id),
      store: this.store,
      streams,
      links: this.links,
      leaderLeaseMs: config.leaderLeaseMs,
      replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
      replicaStallTimeoutMs: Math.min(config.replicaStallTimeoutMs, config.replicaLagTimeMaxMs),
      reassignmentThrottleBytesPerSec: config.reassignmentThrottleBytesPerSec,
      brokerUrl,
      reloadMetadata: () => void this.metadataCache.reload().catch((err: unknown) => this.logger.debug('metadata reload failed', { reason: reasonOf(err) })),
      reportAck: (ack) => this.replication.reportAck(ack),
      logger,
      counters: this.counters,
    };
    this.replicas = new ReplicaManager(
      {
        brokerId: config.brokerId,
        dataDir: config.dataDir,
        topicDefaults,
        flushIntervalMs: config.logFlushIntervalMs,
        producerIdExpirationMs: config.producerIdExpirationMs,
      },
      context,
    );
    this.replication = new ReplicationService(
      {
        brokerId: config.brokerId,
        tickMs: timings.replicationTickMs(config.leaderLeaseMs),
        acksOverPeerLinks: config.replicaAcksTransport === 'websocket',
        logger,
      },
      streams,
      this.replicas,
      streams.reader(),
      streams.reader(),
      { brokerUrl, requestIfConnected: (url, event, payload) => this.links.requestIfConnected(url, event, payload) },
    );
    const lookup = new PartitionLookup(this.metadataCache, this.replicas);
    this.redisHealth = this.coordination.health;
    this.metadataHandler = new MetadataHandler(this.metadataCache, { brokerId: config.brokerId, offline: this.replicas.offline }, this.redisHealth);
    this.produceHandler = new ProduceHandler(lookup);
    this.initProducerIdHandler = new InitProducerIdHandler(this.coordination.producerIds);
    this.fetchHandler = new FetchHandler(lookup, { fetchMaxBytes: config.limits.fetchMaxBytes, maxPartitionFetchBytes: config.limits.maxPartitionFetchBytes });
    this.listOffsetsHandler = new ListOffsetsHandler(lookup);
    this.offsetForLeaderEpochHandler = new OffsetForLeaderEpochHandler(lookup);
    this.deleteRecordsHandler = new DeleteRecordsHandler(lookup);
    this.describeConfigsHandler = new DescribeConfigsHandler(this.metadataCache, topicDefaults);
    this.groups = new GroupCoordinatorManager(this.coordination.groups, this.metadataCache, {
      brokerId: config.brokerId,
      leaseMs: config.brokerSessionTimeoutMs,
      tickMs: timings.GROUP_TICK_MS,
      minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
      maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
      maxRebalanceTimeoutMs: config.groupMaxRebalanceTimeoutMs,
      maxSize: config.groupMaxSize,
      logger,
    });
    this.security = new SecurityService(this.coordination.security, this.feed, {
      brokerId: config.brokerId,
      auth: config.auth,
      superUsers: config.superUsers,
      tokenSecret: config.tokenSecret,
      tokenPublicKeyPath: config.tokenPublicKeyPath,
      refreshIntervalMs: config.metadataRefreshMs,
    });
  }

  /** The live brokers as this broker's metadata cache sees them (the web console's origins are among their addresses). */
  clusterBrokers(): readonly BrokerInfo[] {
    return this.metadataCache.snapshot.brokers;
  }

  /** This incarnation's broker epoch (KIP-380): one number per process start, -1 until registered. */
  get brokerEpoch(): number {
    return this.registration?.brokerEpoch ?? -1;
  }

  /**
   * Calls `listener` once if another incarnation takes this broker's id while this one runs
   * (it was paused past its session): the node has stopped serving by then, and the process
   * should exit.
   */
  onFenced(listener: (err: TributaryError) => void): () => void {
    this.fencedListeners.add(listener);
    return () => this.fencedListeners.delete(listener);
  }

  async start(): Promise<void> {
    // Identity first, before this process touches Redis state or the logs: the data directory
    // lock, then the broker id. Either refusal leaves the live holder undisturbed.
    this.dataDirLock.acquire(this.config.brokerId, this.incarnationToken);
    try {
      const registration = this.newRegistration();
      await registration.start();
      this.registration = registration;
      this.dataDirLock.recordEpoch(registration.brokerEpoch);
    } catch (err) {
      this.dataDirLock.release();
      // a refused password or an untrusted certificate surfaces as "max retries reached": say which
      const explained = err instanceof TributaryError ? null : this.coordination.explainFailure();
      await this.coordination.close();
      throw explained ?? err;
    }
    // Before anything can talk to a peer or answer one; the proof carries this incarnation's epoch.
    this.interBroker.brokerEpoch = this.brokerEpoch;
    await this.interBroker.start((candidate) => this.store.ensureInterBrokerSecret(candidate));
    await this.feed.start();
    await this.security.start();
    await this.redisHealth.start();
    this.unsubscribeMetadata = this.metadataCache.onUpdate((snap) => {
      this.replicas.reconcile(snap);
      this.acknowledgeDeletions(this.replicas.removeStrayReplicas(snap));
    });
    await this.metadataCache.start();
    this.unsubscribeControllerRole = this.controller.onRoleChange((active) => {
      void this.jobs.setActive(active).catch((err: unknown) => this.logError('job-worker-failed', err));
      // A controller that died between a deletion's first step and submitting its job left a tombstone without one.
      if (active) void this.resubmitDeletions().catch((err: unknown) => this.logError('deletion-resubmit-failed', err));
    });
    await this.controller.start();
    this.reassignments.start();
    this.replication.start();
    this.groups.start();
    await this.quotas.start();
    // applyRetention contains each partition's failure; this catch only keeps a bug there from
    // becoming an uncaught exception that would end the process.
    this.retentionTimer = setInterval(() => {
      try {
        this.replicas.applyRetention();
      } catch (err) {
        this.logger.error('retention failed', { event: 'retention-failed', reason: reasonOf(err) });
      }
    }, this.config.logRetentionCheckIntervalMs);
    this.retentionTimer.unref();
    this.started = true;
  }

  /**
   * Whether this broker should receive traffic (`/health/ready`): started, registered and not
   * fenced, its Redis view current, and every replica metadata assigns here loaded (or offline,
   * which is reported, not waited for).
   */
  readiness(): { ready: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (!this.started || this.stopping) reasons.push(this.stopping ? 'stopping' : 'starting');
    if (!this.registration || this.fenced) reasons.push('not registered');
    if (!this.redisHealth.isCurrent()) reasons.push('Redis session lost');
    let waiting = 0;
    for (const { partitions } of this.metadataCache.snapshot.topics.values()) {
      for (const p of partitions) {
        if (p.replicas.includes(this.config.brokerId) && !this.replicas.get(p.topic, p.partition) && !this.replicas.offline.has(p.topic, p.partition))
          waiting++;
      }
    }
    if (waiting > 0) reasons.push(`${waiting} partition(s) not loaded`);
    return { ready: reasons.length === 0, reasons };
  }

  /** Consumer lag of every group on the partitions this broker leads (read from Redis). */
  groupLags(): Promise<GroupPartitionLag[]> {
    return groupLags(this.coordination.groups, this.replicas);
  }

  /** What the metrics endpoint reports: this broker's replicas, Redis round trip, cluster view. */
  observe(): BrokerObservation {
    return observeBroker(this.replicas, this.metadataCache.snapshot, this.controller.isActive, this.redisHealth.lastRoundTripMs);
  }

  /** Tells each deletion job (once per incarnation) that this broker holds nothing of its topic any more. */
  private acknowledgeDeletions(topicIds: string[]): void {
    for (const id of topicIds) {
      if (this.ackedDeletions.has(id)) continue;
      this.ackedDeletions.add(id);
      this.store.ackTopicDeletion(id, this.config.brokerId).catch((err: unknown) => {
        this.ackedDeletions.delete(id);
        this.logError('deletion-ack-failed', err);
      });
    }
  }

  private async resubmitDeletions(): Promise<void> {
    for (const t of await this.store.topicTombstones()) await this.submitDeletion(t);
  }

  private submitDeletion(t: TopicTombstone): Promise<string> {
    const args: DeleteTopicArgs = { topic: t.name, topicId: t.id, partitionCount: t.partitionCount };
    return this.jobs.submit(DELETE_TOPIC_JOB, args, t.jobId);
  }

  private logError(event: string, err: unknown): void {
    console.error(
      JSON.stringify({
        level: 'error',
        time: new Date().toISOString(),
        brokerId: this.config.brokerId,
        event,
        reason: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.quotas.stop();
    this.unsubscribeMetadata?.();
    this.metadataCache.stop();
    this.security.stop();
    this.redisHealth.stop();
    // A fenced node leaves the id-keyed leases alone: they may be its successor's.
    await this.groups.stop(!this.fenced);
    this.reassignments.stop();
    await this.controller.stop(!this.fenced);
    this.unsubscribeControllerRole?.();
    await this.jobs
      .setActive(false)
      .catch((err: unknown) => this.logger.warn('admin job worker did not close; its lock lapses by itself', { reason: reasonOf(err) }));
    await this.registration?.stop();
    await this.replication.stop();
    this.links.close();
    await this.replicas.closeAll();
    this.dataDirLock.release();
    await this.coordination.close();
  }

  /**
   * The token is made with the registration; a stale lock on the data directory that names this
   * same broker id proves its previous holder dead, so the claim may take its id over at once.
   */
  private newRegistration(): BrokerRegistration {
    const stale = this.dataDirLock.staleHolder;
    const previous = stale && stale.brokerId === this.config.brokerId ? stale : null;
    return new BrokerRegistration(this.store, this.info, {
      token: this.incarnationToken,
      sessionTimeoutMs: this.config.brokerSessionTimeoutMs,
      takeoverToken: previous?.token,
      epochFloor: previous?.brokerEpoch,
      onFenced: (err) => this.fence(err),
    });
  }

  /** Another incarnation owns the id: stop acting as this broker at once, then tell the host. */
  private fence(err: TributaryError): void {
    this.fenced = true;
    this.logger.error('fenced: another process took this broker id; stopping', {
      brokerId: this.config.brokerId,
      brokerEpoch: this.brokerEpoch,
      reason: err.message,
    });
    void this.stop()
      .catch((stopErr: unknown) => this.logger.warn('stop after fencing failed', { reason: reasonOf(stopErr) }))
      .then(() => {
        for (const l of this.fencedListeners) l(err);
      });
  }

  metadata(request: MetadataRequest): Promise<MetadataResponse> {
    // The HTTP port (health probes) opens before start() ends: until then, ask another broker.
    if (!this.started) {
      return Promise.resolve({
        errorCode: ErrorCode.BROKER_NOT_AVAILABLE,
        errorMessage: `broker ${this.config.brokerId} is starting`,
        clusterId: this.config.clusterId,
        controllerId: -1,
        brokers: [],
        topics: [],
      });
    }
    return this.metadataHandler.handle(request);
  }

  produce(request: ProduceRequest): Promise<ProduceResponse> {
    return this.produceHandler.handle(request);
  }

  /** Test-only: see ProduceHandler.loseAcksForTests (set from TRIBUTARY_TEST_LOSE_PRODUCE_ACKS). */
  loseProduceAcksForTests(every: number): void {
    this.produceHandler.loseAcksForTests(every);
  }

  initProducerId(request: InitProducerIdRequest): Promise<InitProducerIdResponse> {
    return this.initProducerIdHandler.handle(request);
  }

  /** `scope`: the requesting connection's send limits, when a transport has one (see RequestScope). */
  fetch(request: FetchRequest, scope?: RequestScope): Promise<FetchResponse> {
    return this.fetchHandler.handle(request, scope);
  }

  listOffsets(request: ListOffsetsRequest): ListOffsetsResponse {
    return this.listOffsetsHandler.handle(request);
  }

  offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
    return this.offsetForLeaderEpochHandler.handle(request);
  }

  /**
   * A follower's log-end reports, sent over the peer WebSocket. `replicaId` and `brokerEpoch`
   * must be what the sender's connection proved in the inter-broker handshake (the transport
   * checks), not what its request says.
   */
  replicaProgress(replicaId: number, brokerEpoch: number, reports: readonly ReplicaProgressReport[]): void {
    this.replication.applyProgress(replicaId, brokerEpoch, reports);
  }

  async createTopics(request: CreateTopicsRequest): Promise<CreateTopicsResponse> {
    const response = await this.controller.createTopics(request);
    const created = response.topics.filter((t) => t.errorCode === 0 && !request.validateOnly).map((t) => t.name);
    await this.waitForClaimedLeaders(created);
    // The creator answers only once its own metadata shows the new topics, so a client that
    // asks this broker next finds them.
    await this.metadataCache
      .reload()
      .catch((err: unknown) => this.logger.debug('metadata reload failed; the change feed reloads it again', { reason: reasonOf(err) }));
    return response;
  }

  describeConfigs(request: DescribeConfigsRequest): DescribeConfigsResponse {
    return this.describeConfigsHandler.handle(request);
  }

  /** Answers once this broker's own metadata shows the change; every broker applies it from the change feed. */
  async alterConfigs(request: AlterConfigsRequest): Promise<AlterConfigsResponse> {
    const response = await this.controller.alterConfigs(request);
    await this.metadataCache
      .reload()
      .catch((err: unknown) => this.logger.debug('metadata reload failed; the change feed reloads it again', { reason: reasonOf(err) }));
    return response;
  }

  async createPartitions(request: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
    const response = await this.controller.createPartitions(request);
    await this.waitForClaimedLeaders(response.topics.filter((t) => t.errorCode === 0 && !request.validateOnly).map((t) => t.name));
    await this.metadataCache
      .reload()
      .catch((err: unknown) => this.logger.debug('metadata reload failed; the change feed reloads it again', { reason: reasonOf(err) }));
    return response;
  }

  deleteRecords(request: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
    return this.deleteRecordsHandler.handle(request);
  }

  alterPartitionReassignments(request: AlterPartitionReassignmentsRequest): Promise<AlterPartitionReassignmentsResponse> {
    return this.reassignments.alterPartitionReassignments(request);
  }

  /** Any broker answers, from Redis (its metadata cache may not have heard of a reassignment started a moment ago). */
  async listPartitionReassignments(request: ListPartitionReassignmentsRequest): Promise<ListPartitionReassignmentsResponse> {
    return listReassignments(await this.store.snapshot(), request);
  }

  electLeaders(request: ElectLeadersRequest): Promise<ElectLeadersResponse> {
    return this.reassignments.elections.electLeaders(request);
  }

  decommissionBroker(request: DecommissionBrokerRequest): Promise<DecommissionBrokerResponse> {
    return this.reassignments.decommission(request.brokerId);
  }

  /**
   * Deletes topics (controller only, else NOT_CONTROLLER per topic): each leaves metadata at
   * once, then a deletion job (its id in the answer) removes its replicas, streams, leases and
   * group offsets. Deleting a topic whose deletion still runs answers the same job.
   */
  async deleteTopics(request: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
    const topics: DeleteTopicResult[] = [];
    for (const r of await this.controller.deleteTopics(request)) {
      if (!r.tombstone) {
        topics.push({ name: r.name, ...toErrorResponse(r.error ?? TributaryError.of('UNKNOWN_SERVER_ERROR', 'no outcome')) });
        continue;
      }
      try {
        const jobId = await this.submitDeletion(r.tombstone);
        topics.push({ name: r.name, errorCode: ErrorCode.NONE, topicId: r.tombstone.id, jobId });
      } catch (err) {
        // out of metadata already; a retry finds the tombstone and submits the job again
        topics.push({ name: r.name, topicId: r.tombstone.id, ...toErrorResponse(err) });
      }
    }
    await this.metadataCache
      .reload()
      .catch((err: unknown) => this.logger.debug('metadata reload failed; the change feed reloads it again', { reason: reasonOf(err) }));
    return { errorCode: ErrorCode.NONE, topics };
  }

  async listJobs(request: ListJobsRequest): Promise<ListJobsResponse> {
    return { errorCode: ErrorCode.NONE, jobs: await this.jobs.list(request.limit) };
  }

  async describeJob(request: DescribeJobRequest): Promise<DescribeJobResponse> {
    const job = await this.jobs.describe(request.jobId);
    if (!job) throw TributaryError.of('JOB_NOT_FOUND', `no admin job '${request.jobId}'`);
    return { errorCode: ErrorCode.NONE, job };
  }

  /**
   * A new partition's first leader must claim its epoch in Redis before it acknowledges
   * writes; waiting for that here (bounded) spares clients a round of NOT_LEADER retries.
   */
  private async waitForClaimedLeaders(topics: string[]): Promise<void> {
    const deadline = Date.now() + timings.createTopicsClaimWaitMs(this.config.leaderLeaseMs);
    for (const topic of topics) {
      while (Date.now() < deadline) {
        // Redis hiccup: poll again until the deadline; the wait is only a courtesy to clients.
        const states = await this.store.partitionStates(topic).catch(() => []);
        if (states.length > 0 && states.every((p) => p.leaderEpoch > 0)) break;
        await new Promise((r) => setTimeout(r, timings.CREATE_TOPICS_CLAIM_POLL_MS));
      }
    }
  }
}
