import type { GroupStore, MetadataCache } from '@tributary/coordination';
import {
  describeGroup,
  ErrorCode,
  TributaryError,
  type BrokerInfo,
  type CommitOffsetsRequest,
  type DescribeGroupsResponse,
  type DeleteGroupsRequest,
  type DeleteGroupsResponse,
  type FetchOffsetsRequest,
  type FetchOffsetsResponse,
  type FindCoordinatorResponse,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type ListGroupsResponse,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from '@tributary/protocol';
import { leaseRenewIntervalMs } from '../config/derived-timings';
import { reasonOf, silentLogger, type BrokerLogger } from '../logging/broker-logger';
import { preferredCoordinator } from './coordinator-placement';
import { GroupCoordinatorActor } from './group-coordinator-actor';
import type { GroupMemberConnection } from './group-member';

export interface GroupManagerOptions {
  brokerId: number;
  /** the coordinator lease; a dead coordinator's groups move after at most this long */
  leaseMs: number;
  /** how often sessions and rebalance deadlines are checked */
  tickMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  maxRebalanceTimeoutMs: number;
  /** members one group may have (Kafka's group.max.size) */
  maxSize: number;
  logger?: BrokerLogger;
}

/**
 * Decides which groups this broker coordinates and routes group requests to their actors.
 * A group belongs to whoever holds its lease in Redis; when nobody does, the broker picked by
 * hashing the group id over live brokers takes it on the first request. Read-only requests
 * (fetchOffsets, listGroups, describeGroups) are answered by any broker from Redis.
 */
export class GroupCoordinatorManager {
  private readonly actors = new Map<string, Promise<GroupCoordinatorActor>>();
  private renewTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly logger: BrokerLogger;

  constructor(
    private readonly store: GroupStore,
    private readonly metadata: MetadataCache,
    private readonly options: GroupManagerOptions,
  ) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'groups' });
  }

  start(): void {
    this.renewTimer = setInterval(() => void this.renewLeases(), leaseRenewIntervalMs(this.options.leaseMs));
    this.tickTimer = setInterval(() => void this.tickAll(), this.options.tickMs);
    this.renewTimer.unref();
    this.tickTimer.unref();
  }

  /** `releaseLeases` false: a fenced broker, whose leases (keyed by broker id) are its successor's now. */
  async stop(releaseLeases = true): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    const entries = [...this.actors];
    this.actors.clear();
    await Promise.all(
      entries.map(async ([groupId, pending]) => {
        // a takeover that failed left no actor to close; its caller was told why
        const actor = await pending.catch(() => null);
        actor?.close();
        // released at once, so a clean shutdown hands groups over without waiting for the TTL
        if (releaseLeases) {
          await this.store
            .releaseLease(groupId, this.options.brokerId)
            .catch((err: unknown) => this.logger.warn('group lease not released; it lapses by itself', { group: groupId, reason: reasonOf(err) }));
        }
      }),
    );
  }

  async findCoordinator(groupId: string): Promise<FindCoordinatorResponse> {
    const live = this.metadata.snapshot.brokers;
    const holder = await this.store.leaseHolder(groupId);
    const broker = live.find((b) => b.id === holder) ?? preferredCoordinator(groupId, live);
    if (!broker) throw TributaryError.of('COORDINATOR_NOT_AVAILABLE', 'no live broker');
    return { errorCode: ErrorCode.NONE, nodeId: broker.id, host: broker.host, port: broker.port, url: broker.url };
  }

  /** `conn`: who sends it (see GroupMemberConnection); without it, no binding is checked (in-process callers, tests). */
  async join(req: JoinGroupRequest, conn?: GroupMemberConnection): Promise<JoinGroupResponse> {
    const { minSessionTimeoutMs: min, maxSessionTimeoutMs: max, maxRebalanceTimeoutMs } = this.options;
    if (req.sessionTimeoutMs < min || req.sessionTimeoutMs > max) {
      throw TributaryError.of('INVALID_SESSION_TIMEOUT', `sessionTimeoutMs must be between ${min} and ${max}`);
    }
    if (req.rebalanceTimeoutMs > maxRebalanceTimeoutMs) {
      throw TributaryError.of('INVALID_SESSION_TIMEOUT', `rebalanceTimeoutMs must be at most ${maxRebalanceTimeoutMs} (GROUP_MAX_REBALANCE_TIMEOUT_MS)`);
    }
    return (await this.actorFor(req.groupId)).join(req, conn);
  }

  async sync(req: SyncGroupRequest, conn?: GroupMemberConnection): Promise<SyncGroupResponse> {
    return (await this.actorFor(req.groupId)).sync(req, conn);
  }

  async heartbeat(req: HeartbeatRequest, conn?: GroupMemberConnection): Promise<void> {
    return (await this.actorFor(req.groupId)).heartbeat(req, conn);
  }

  async leave(req: LeaveGroupRequest, conn?: GroupMemberConnection): Promise<void> {
    return (await this.actorFor(req.groupId)).leave(req, conn);
  }

  /**
   * A commit for a topic that does not exist (deleted: its deletion job removes the groups'
   * offsets) is refused, so a re-created topic of that name never starts from an old offset;
   * so is one for a partition the topic does not have (Kafka's rule), which would otherwise wait
   * for createPartitions to hand a new partition a stray offset, and outlive the topic's deletion
   * (that removes offsets of existing partitions only).
   */
  async commit(req: CommitOffsetsRequest, conn?: GroupMemberConnection): Promise<void> {
    const unknown = () => req.offsets.find((o) => o.partition >= (this.metadata.topic(o.topic)?.topic.partitionCount ?? 0));
    // the cache may not have seen a topic just created or grown yet; a failed reload leaves the check to the cached metadata
    if (unknown()) await this.metadata.reload().catch(() => undefined);
    const missing = unknown();
    if (missing) throw TributaryError.of('UNKNOWN_TOPIC_OR_PARTITION', `${missing.topic}/${missing.partition} does not exist`);
    return (await this.actorFor(req.groupId)).commit(req, conn);
  }

  /** Deletes empty groups this broker coordinates (the client sends each to its coordinator): one error code per group. */
  async deleteGroups(req: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
    const results = await Promise.all(
      req.groupIds.map(async (groupId) => {
        try {
          await (await this.actorFor(groupId)).deleteGroup();
          return { groupId, errorCode: ErrorCode.NONE };
        } catch (err) {
          return { groupId, errorCode: err instanceof TributaryError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR };
        }
      }),
    );
    return { errorCode: ErrorCode.NONE, results };
  }

  async fetchOffsets(req: FetchOffsetsRequest): Promise<FetchOffsetsResponse> {
    return { errorCode: ErrorCode.NONE, offsets: await this.store.fetchOffsets(req.groupId, req.partitions) };
  }

  async listGroups(): Promise<ListGroupsResponse> {
    const ids = await this.store.listGroupIds();
    const groups = await Promise.all(
      ids.map(async (groupId) => {
        const [g, holder] = await Promise.all([this.store.load(groupId), this.store.leaseHolder(groupId)]);
        return { groupId, state: g?.state ?? 'Empty', coordinatorId: holder };
      }),
    );
    return { errorCode: ErrorCode.NONE, groups };
  }

  async describeGroups(groupIds: readonly string[]): Promise<DescribeGroupsResponse> {
    const groups = await Promise.all(
      groupIds.map(async (groupId) => {
        const [g, holder] = await Promise.all([this.store.load(groupId), this.store.leaseHolder(groupId)]);
        return describeGroup(groupId, g, holder);
      }),
    );
    return { errorCode: ErrorCode.NONE, groups };
  }

  private actorFor(groupId: string): Promise<GroupCoordinatorActor> {
    const existing = this.actors.get(groupId);
    if (existing) return existing;
    const created = this.takeOver(groupId);
    this.actors.set(groupId, created);
    // The requester awaits `created` and gets its error; here it only forgets the failed takeover.
    created.catch(() => {
      if (this.actors.get(groupId) === created) this.actors.delete(groupId);
    });
    return created;
  }

  private async takeOver(groupId: string): Promise<GroupCoordinatorActor> {
    const me = this.options.brokerId;
    const holder = await this.store.leaseHolder(groupId);
    if (holder !== -1 && holder !== me) throw TributaryError.of('NOT_COORDINATOR', `broker ${holder} coordinates group ${groupId}`);
    if (holder === -1 && !this.isPreferred(groupId)) throw TributaryError.of('NOT_COORDINATOR', `group ${groupId} belongs to another broker`);
    if (!(await this.store.acquireLease(groupId, me, this.options.leaseMs))) throw TributaryError.of('NOT_COORDINATOR');
    const stored = await this.store.load(groupId);
    return new GroupCoordinatorActor(
      {
        groupId,
        brokerId: me,
        store: this.store,
        partitionCount: (topic) => this.metadata.snapshot.topics.get(topic)?.topic.partitionCount,
        now: () => Date.now(),
        maxSize: this.options.maxSize,
        onDeposed: () => this.actors.delete(groupId),
        logger: this.logger,
      },
      stored,
    );
  }

  private isPreferred(groupId: string): boolean {
    const live: BrokerInfo[] = this.metadata.snapshot.brokers;
    return preferredCoordinator(groupId, live)?.id === this.options.brokerId;
  }

  private async renewLeases(): Promise<void> {
    for (const [groupId, pending] of [...this.actors]) {
      // a takeover that failed left no actor; its requester was told why
      const actor = await pending.catch(() => null);
      if (!actor) continue;
      const held = await this.store.acquireLease(groupId, this.options.brokerId, this.options.leaseMs).catch((err: unknown) => {
        this.logger.warn('group lease renewal failed; giving the group up', { group: groupId, reason: reasonOf(err) });
        return false;
      });
      if (held) continue;
      this.logger.info('no longer coordinating group', { group: groupId });
      actor.close();
      if (this.actors.get(groupId) === pending) this.actors.delete(groupId);
    }
  }

  private async tickAll(): Promise<void> {
    for (const [groupId, pending] of [...this.actors]) {
      // a takeover that failed left no actor; its requester was told why
      const actor = await pending.catch(() => null);
      await actor?.tick().catch((err: unknown) => this.logger.warn('group tick failed; retried next tick', { group: groupId, reason: reasonOf(err) }));
    }
  }
}
