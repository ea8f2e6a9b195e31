/**
 * The fake broker's consumer groups: the real GroupCoordinatorManager's part (which broker
 * coordinates, join limits, the topic check on commits, the read-only requests answered from
 * the store) over one FakeGroupActor per group, with the group gateway's answer shapes, error
 * answers included. One running broker coordinates every group. test/contract holds it to the
 * real coordinator.
 */
import {
  describeGroup,
  ErrorCode,
  parseGroupRequest,
  toErrorResponse,
  TributaryError,
  type CommittedOffset,
  type CommitOffsetsRequest,
  type CommitOffsetsResponse,
  type DeleteGroupsResponse,
  type DescribedGroup,
  type DescribeGroupsResponse,
  type FetchOffsetsResponse,
  type FindCoordinatorResponse,
  type HeartbeatResponse,
  type JoinGroupResponse,
  type LeaveGroupResponse,
  type ListGroupsResponse,
  type SyncGroupResponse,
} from '@tributary/protocol';
import { FakeGroupActor, type FakeGroupConnection, type FakeSavedGroup } from './fake-group-actor';

/** The broker settings the coordinator checks joins against; the defaults are the real broker's (GROUP_* in broker-settings.ts). */
export interface FakeGroupSettings {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  maxRebalanceTimeoutMs: number;
  maxSize: number;
}

/** The real broker's GROUP_TICK_MS: how often sessions and rebalance deadlines are checked. */
const TICK_MS = 100;

/** What the cluster tells the coordinator: the running brokers (by id), and each topic's partition count. */
export interface FakeGroupHost {
  liveBrokers(): { id: number; port: number; url: string }[];
  partitionCount(topic: string): number | undefined;
}

const NONE = { errorCode: ErrorCode.NONE };

export class FakeGroupCoordinator {
  readonly settings: FakeGroupSettings = { minSessionTimeoutMs: 500, maxSessionTimeoutMs: 1_800_000, maxRebalanceTimeoutMs: 1_800_000, maxSize: 1000 };
  /** the coordinator's live groups (the real broker's actors; each holds the group's lease) */
  private readonly groups = new Map<string, FakeGroupActor>();
  /** what the store holds: each group's saved state, its committed offsets, and the set of group ids */
  private readonly saved = new Map<string, FakeSavedGroup>();
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  private readonly groupIds = new Set<string>();
  private coordinatorId = -1;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly host: FakeGroupHost) {}

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const g of this.groups.values()) g.close();
  }

  findCoordinator(payload: unknown): FindCoordinatorResponse {
    return answer<FindCoordinatorResponse>(
      () => {
        parseGroupRequest.findCoordinator(payload);
        const c = this.followCoordinator();
        if (!c) throw TributaryError.of('COORDINATOR_NOT_AVAILABLE', 'no live broker');
        return { errorCode: ErrorCode.NONE, nodeId: c.id, host: '127.0.0.1', port: c.port, url: c.url };
      },
      (e) => ({ ...e, nodeId: -1, host: '', port: -1, url: '' }),
    );
  }

  join(brokerId: number, payload: unknown, conn: FakeGroupConnection): Promise<JoinGroupResponse> {
    const onError = (e: ErrorShape): JoinGroupResponse => ({ ...e, generationId: -1, memberId: '', leaderId: '', assignor: '', assignment: [] });
    try {
      const req = parseGroupRequest.joinGroup(payload);
      const { minSessionTimeoutMs: min, maxSessionTimeoutMs: max, maxRebalanceTimeoutMs } = this.settings;
      if (req.sessionTimeoutMs < min || req.sessionTimeoutMs > max) {
        throw TributaryError.of('INVALID_SESSION_TIMEOUT', `sessionTimeoutMs must be between ${min} and ${max}`);
      }
      if (req.rebalanceTimeoutMs > maxRebalanceTimeoutMs) {
        throw TributaryError.of('INVALID_SESSION_TIMEOUT', `rebalanceTimeoutMs must be at most ${maxRebalanceTimeoutMs} (GROUP_MAX_REBALANCE_TIMEOUT_MS)`);
      }
      return this.groupAt(brokerId, req.groupId).join(req, conn);
    } catch (err) {
      return Promise.resolve(onError(toErrorResponse(err)));
    }
  }

  sync(brokerId: number, payload: unknown, conn: FakeGroupConnection): SyncGroupResponse {
    return answer<SyncGroupResponse>(
      () => {
        const req = parseGroupRequest.syncGroup(payload);
        return this.groupAt(brokerId, req.groupId).sync(req, conn);
      },
      (e) => ({ ...e, assignment: [] }),
    );
  }

  heartbeat(brokerId: number, payload: unknown, conn: FakeGroupConnection): HeartbeatResponse {
    return answer<HeartbeatResponse>(
      () => {
        const req = parseGroupRequest.heartbeat(payload);
        this.groupAt(brokerId, req.groupId).heartbeat(req, conn);
        return NONE;
      },
      (e) => e,
    );
  }

  leave(brokerId: number, payload: unknown, conn: FakeGroupConnection): LeaveGroupResponse {
    return answer<LeaveGroupResponse>(
      () => {
        const req = parseGroupRequest.leaveGroup(payload);
        this.groupAt(brokerId, req.groupId).leave(req, conn);
        return NONE;
      },
      (e) => e,
    );
  }

  /** As the real manager, a commit for a partition that does not exist is refused before the group is looked at. */
  commit(brokerId: number, payload: unknown, conn: FakeGroupConnection): CommitOffsetsResponse {
    return answer<CommitOffsetsResponse>(
      () => {
        const req = parseGroupRequest.commitOffsets(payload);
        const missing = req.offsets.find((o) => o.partition >= (this.host.partitionCount(o.topic) ?? 0));
        if (missing) throw TributaryError.of('UNKNOWN_TOPIC_OR_PARTITION', `${missing.topic}/${missing.partition} does not exist`);
        this.groupAt(brokerId, req.groupId).checkCommit(req, conn);
        this.storeOffsets(req);
        return NONE;
      },
      (e) => e,
    );
  }

  /** Any broker answers from the store. */
  fetchOffsets(payload: unknown): FetchOffsetsResponse {
    return answer<FetchOffsetsResponse>(
      () => {
        const req = parseGroupRequest.fetchOffsets(payload);
        const all = this.offsets.get(req.groupId) ?? new Map<string, CommittedOffset>();
        if (req.partitions) {
          return {
            errorCode: ErrorCode.NONE,
            offsets: req.partitions.map((p) => all.get(`${p.topic}:${p.partition}`) ?? { ...p, offset: -1, metadata: '' }),
          };
        }
        const sorted = [...all.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
        return { errorCode: ErrorCode.NONE, offsets: sorted.map((o) => ({ ...o })) };
      },
      (e) => ({ ...e, offsets: [] }),
    );
  }

  listGroups(payload: unknown): ListGroupsResponse {
    return answer<ListGroupsResponse>(
      () => {
        parseGroupRequest.listGroups(payload ?? {});
        const groups = [...this.groupIds]
          .sort()
          .map((groupId) => ({ groupId, state: this.saved.get(groupId)?.state ?? 'Empty', coordinatorId: this.holder(groupId) }));
        return { errorCode: ErrorCode.NONE, groups };
      },
      (e) => ({ ...e, groups: [] }),
    );
  }

  describeGroups(payload: unknown): DescribeGroupsResponse {
    return answer<DescribeGroupsResponse>(
      () => {
        const { groupIds } = parseGroupRequest.describeGroups(payload);
        return { errorCode: ErrorCode.NONE, groups: groupIds.map((groupId) => this.describe(groupId)) };
      },
      (e) => ({ ...e, groups: [] }),
    );
  }

  deleteGroups(brokerId: number, payload: unknown): DeleteGroupsResponse {
    return answer<DeleteGroupsResponse>(
      () => {
        const { groupIds } = parseGroupRequest.deleteGroups(payload);
        const results = groupIds.map((groupId) => {
          try {
            this.groupAt(brokerId, groupId).deleteGroup(() => this.deleteStored(groupId));
            return { groupId, errorCode: ErrorCode.NONE };
          } catch (err) {
            return { groupId, errorCode: toErrorResponse(err).errorCode };
          }
        });
        return { errorCode: ErrorCode.NONE, results };
      },
      (e) => ({ ...e, results: [] }),
    );
  }

  /** Session expiry and rebalance deadlines, as the real manager's timer runs them. */
  tick(now = Date.now()): void {
    this.followCoordinator();
    for (const g of this.groups.values()) g.tick(now);
  }

  /** A timer's tick must not throw into the test process; a failure is printed where the failing spec shows it. */
  private tickSafely(): void {
    try {
      this.tick();
    } catch (err) {
      console.error('fake group coordinator: tick failed', err);
    }
  }

  /** As the topic deletion job: every group's committed offsets for the topic's partitions go. */
  deleteTopicOffsets(topic: string): void {
    for (const stored of this.offsets.values()) for (const k of [...stored.keys()]) if (k.slice(0, k.lastIndexOf(':')) === topic) stored.delete(k);
  }

  /**
   * The group's actor on the coordinator: a request to another broker is NOT_COORDINATOR. The
   * first request for a group takes it over from the store (the real broker's lease and load).
   */
  private groupAt(brokerId: number, groupId: string): FakeGroupActor {
    this.followCoordinator();
    if (brokerId !== this.coordinatorId) throw TributaryError.of('NOT_COORDINATOR', `broker ${this.coordinatorId} coordinates group ${groupId}`);
    const existing = this.groups.get(groupId);
    if (existing) return existing;
    const g = new FakeGroupActor(
      {
        groupId,
        partitionCount: (topic) => this.host.partitionCount(topic),
        maxSize: () => this.settings.maxSize,
        save: (saved) => {
          this.saved.set(groupId, saved);
          this.groupIds.add(groupId);
        },
      },
      this.saved.get(groupId),
    );
    this.groups.set(groupId, g);
    if (!this.timer) {
      this.timer = setInterval(() => this.tickSafely(), TICK_MS);
      this.timer.unref();
    }
    return g;
  }

  /**
   * The coordinator stays while its broker runs (the real one renews its leases); when it
   * stopped, the first running broker takes every group over from the store, as after a lease
   * lapsed. Returns the coordinating broker, if any runs.
   */
  private followCoordinator(): { id: number; port: number; url: string } | undefined {
    const live = this.host.liveBrokers();
    const current = live.find((b) => b.id === this.coordinatorId);
    if (current) return current;
    this.coordinatorId = live[0]?.id ?? -1;
    for (const g of this.groups.values()) g.close();
    this.groups.clear();
    return live[0];
  }

  /** As the real store's deleteGroup script (the actor checked for members): unknown if nothing of the group is stored. */
  private deleteStored(groupId: string): void {
    if (!this.saved.has(groupId) && !this.offsets.has(groupId) && !this.groupIds.has(groupId)) throw TributaryError.of('GROUP_ID_NOT_FOUND');
    this.saved.delete(groupId);
    this.offsets.delete(groupId);
    this.groupIds.delete(groupId);
  }

  private storeOffsets(req: CommitOffsetsRequest): void {
    const stored = this.offsets.get(req.groupId) ?? new Map<string, CommittedOffset>();
    for (const o of req.offsets)
      stored.set(`${o.topic}:${o.partition}`, { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' });
    this.offsets.set(req.groupId, stored);
    this.groupIds.add(req.groupId);
  }

  private describe(groupId: string): DescribedGroup {
    return describeGroup(groupId, this.saved.get(groupId), this.holder(groupId));
  }

  /** The broker holding the group's lease: the coordinator once it took the group on, else -1. */
  private holder(groupId: string): number {
    return this.groups.has(groupId) ? this.coordinatorId : -1;
  }
}

type ErrorShape = { errorCode: number; errorMessage: string };

/** As the real gateway: any error becomes the event's error answer, never a throw. */
function answer<R>(run: () => R, onError: (e: ErrorShape) => R): R {
  try {
    return run();
  } catch (err) {
    return onError(toErrorResponse(err));
  }
}
