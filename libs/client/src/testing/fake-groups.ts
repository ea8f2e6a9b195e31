/**
 * The fake broker's consumer groups: one in-memory coordinator (a running broker) that
 * follows the real GroupCoordinatorActor's rebalance rules (libs/broker/src/group), applies the
 * same assignors and commit rules (@tributary/protocol), and answers with the group gateway's
 * shapes, error answers included. test/contract/broker-contract.ts holds it to the real one.
 * There is one principal here (no authentication), so a member is bound to its connection only.
 */
import { randomUUID } from 'crypto';
import {
  checkCommit,
  computeAssignment,
  ErrorCode,
  parseGroupRequest,
  revokingPartitions,
  toErrorResponse,
  TributaryError,
  type AssignorName,
  type CommittedOffset,
  type CommitOffsetsRequest,
  type CommitOffsetsResponse,
  type DeleteGroupsResponse,
  type DescribedGroup,
  type DescribeGroupsResponse,
  type FenceView,
  type FetchOffsetsResponse,
  type FindCoordinatorResponse,
  type GroupState,
  type GroupTopicPartitions,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupResponse,
  type ListGroupsResponse,
  type SyncGroupResponse,
} from '@tributary/protocol';

/** The broker settings the coordinator checks joins against; the defaults are the real broker's (GROUP_* in broker-settings.ts). */
export interface FakeGroupSettings {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  maxRebalanceTimeoutMs: number;
  maxSize: number;
}

/** The real broker's GROUP_TICK_MS: how often sessions and rebalance deadlines are checked. */
const TICK_MS = 100;

/** Who sends a member request: the connection a member is bound to while it is open. */
export interface FakeGroupConnection {
  connectionId: string;
  isConnected(): boolean;
}

/** What the cluster tells the coordinator: the running brokers (by id), and each topic's partition count. */
export interface FakeGroupHost {
  liveBrokers(): { id: number; port: number; url: string }[];
  partitionCount(topic: string): number | undefined;
}

/** A member as the coordinator stores it (the real StoredMember, less the principal). */
interface StoredMember {
  memberId: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  topics: string[];
  assignors: AssignorName[];
  assignment: GroupTopicPartitions[];
  revoking?: GroupTopicPartitions[];
}

interface LiveMember {
  stored: StoredMember;
  sessionDeadline: number;
  pendingJoin: ((response: JoinGroupResponse) => void) | null;
  owner?: FakeGroupConnection;
}

/** A group as written to the coordination store at each transition (what describe and a successor coordinator read). */
interface SavedGroup {
  state: GroupState;
  generationId: number;
  assignor: AssignorName | '';
  leaderId: string;
  members: StoredMember[];
}

/** One group's coordinator state: the real actor's fields. */
class FakeGroup {
  state: GroupState = 'Empty';
  generationId = 0;
  assignor: AssignorName | '' = '';
  leaderId = '';
  rebalanceDeadline = 0;
  members = new Map<string, LiveMember>();
  assignedCounts = new Map<string, number>();

  constructor(readonly groupId: string) {}
}

const NONE = { errorCode: ErrorCode.NONE };

export class FakeGroupCoordinator {
  readonly settings: FakeGroupSettings = { minSessionTimeoutMs: 500, maxSessionTimeoutMs: 1_800_000, maxRebalanceTimeoutMs: 1_800_000, maxSize: 1000 };
  /** the coordinator's live groups (the real broker's actors; each holds the group's lease) */
  private readonly groups = new Map<string, FakeGroup>();
  /** what the store holds: each group's saved state, its committed offsets, and the set of group ids */
  private readonly saved = new Map<string, SavedGroup>();
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  private readonly groupIds = new Set<string>();
  private coordinatorId = -1;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly host: FakeGroupHost) {}

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const g of this.groups.values()) this.close(g);
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
      return this.onJoin(this.groupAt(brokerId, req.groupId), req, conn);
    } catch (err) {
      return Promise.resolve(onError(toErrorResponse(err)));
    }
  }

  sync(brokerId: number, payload: unknown, conn: FakeGroupConnection): SyncGroupResponse {
    return answer<SyncGroupResponse>(
      () => {
        const req = parseGroupRequest.syncGroup(payload);
        const g = this.groupAt(brokerId, req.groupId);
        this.claim(g, req.memberId, conn);
        const m = this.check(g, req.memberId, req.generationId);
        if (g.state === 'PreparingRebalance') throw TributaryError.of('REBALANCE_IN_PROGRESS');
        return { errorCode: ErrorCode.NONE, assignment: m.stored.assignment };
      },
      (e) => ({ ...e, assignment: [] }),
    );
  }

  heartbeat(brokerId: number, payload: unknown, conn: FakeGroupConnection): HeartbeatResponse {
    return answer<HeartbeatResponse>(
      () => {
        const req = parseGroupRequest.heartbeat(payload);
        const g = this.groupAt(brokerId, req.groupId);
        const m = this.claim(g, req.memberId, conn);
        if (!m) throw TributaryError.of('UNKNOWN_MEMBER_ID');
        m.sessionDeadline = Date.now() + m.stored.sessionTimeoutMs;
        if (g.state === 'PreparingRebalance') throw TributaryError.of('REBALANCE_IN_PROGRESS');
        if (req.generationId !== g.generationId) throw TributaryError.of('ILLEGAL_GENERATION');
        return NONE;
      },
      (e) => e,
    );
  }

  leave(brokerId: number, payload: unknown, conn: FakeGroupConnection): LeaveGroupResponse {
    return answer<LeaveGroupResponse>(
      () => {
        const req = parseGroupRequest.leaveGroup(payload);
        const g = this.groupAt(brokerId, req.groupId);
        if (!this.claim(g, req.memberId, conn)) throw TributaryError.of('UNKNOWN_MEMBER_ID');
        this.removeMembers(g, [req.memberId]);
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
        const g = this.groupAt(brokerId, req.groupId);
        if (req.memberId !== '') this.claim(g, req.memberId, conn);
        checkCommit(this.fenceView(g), req);
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
            this.deleteGroup(this.groupAt(brokerId, groupId));
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
    for (const g of this.groups.values()) {
      const expired = [...g.members.values()].filter((m) => m.pendingJoin === null && m.sessionDeadline <= now && g.state !== 'PreparingRebalance');
      if (expired.length > 0)
        this.removeMembers(
          g,
          expired.map((m) => m.stored.memberId),
        );
      if (g.state === 'Stable' && this.partitionCountsChanged(g)) this.startRebalance(g);
      if (g.state === 'PreparingRebalance' && now >= g.rebalanceDeadline) {
        // members that did not rejoin in time are out (Kafka's rule), then the rest go ahead
        for (const m of [...g.members.values()]) if (m.pendingJoin === null) g.members.delete(m.stored.memberId);
        this.complete(g);
      }
    }
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
  private groupAt(brokerId: number, groupId: string): FakeGroup {
    this.followCoordinator();
    if (brokerId !== this.coordinatorId) throw TributaryError.of('NOT_COORDINATOR', `broker ${this.coordinatorId} coordinates group ${groupId}`);
    const existing = this.groups.get(groupId);
    if (existing) return existing;
    const g = this.restore(groupId);
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
    for (const g of this.groups.values()) this.close(g);
    this.groups.clear();
    return live[0];
  }

  /** The real actor's constructor: a new coordinator gives each member a full session, and a rebalance under way starts over. */
  private restore(groupId: string): FakeGroup {
    const g = new FakeGroup(groupId);
    const stored = this.saved.get(groupId);
    if (!stored) return g;
    const now = Date.now();
    g.generationId = stored.generationId;
    g.assignor = stored.assignor;
    g.leaderId = stored.leaderId;
    for (const m of structuredClone(stored.members)) g.members.set(m.memberId, { stored: m, sessionDeadline: now + m.sessionTimeoutMs, pendingJoin: null });
    g.state = stored.members.length === 0 ? 'Empty' : stored.state;
    if (g.state === 'PreparingRebalance') g.rebalanceDeadline = now + this.maxRebalanceTimeout(g);
    return g;
  }

  /** Answers parked joins so their clients look for the new coordinator. */
  private close(g: FakeGroup): void {
    for (const m of g.members.values()) answerJoin(m, errorJoin(ErrorCode.NOT_COORDINATOR, m.stored.memberId));
  }

  private onJoin(g: FakeGroup, req: JoinGroupRequest, conn: FakeGroupConnection): Promise<JoinGroupResponse> {
    const member = req.memberId === '' ? undefined : this.claim(g, req.memberId, conn);
    if (req.memberId !== '' && !member) throw TributaryError.of('UNKNOWN_MEMBER_ID');
    if (!member && g.members.size >= this.settings.maxSize) {
      throw TributaryError.of('GROUP_MAX_SIZE_REACHED', `group '${g.groupId}' has ${g.members.size} members, the most GROUP_MAX_SIZE allows`);
    }
    const others = [...g.members.values()].filter((m) => m.stored.memberId !== req.memberId);
    if (others.length > 0 && !req.assignors.some((a) => others.every((o) => o.stored.assignors.includes(a)))) {
      throw TributaryError.of('INCONSISTENT_GROUP_PROTOCOL', `none of ${req.assignors.join(', ')} is supported by every member`);
    }
    // a rejoin keeps its assignment but not what it was revoking: it rejoined without those
    const stored: StoredMember = {
      memberId: member?.stored.memberId ?? `${req.clientId || 'member'}-${randomUUID()}`,
      clientId: req.clientId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      topics: [...req.topics].sort(),
      assignors: req.assignors,
      assignment: member?.stored.assignment ?? [],
    };
    if (member) answerJoin(member, errorJoin(ErrorCode.REBALANCE_IN_PROGRESS, stored.memberId));
    const joined: LiveMember = { stored, sessionDeadline: Date.now() + stored.sessionTimeoutMs, pendingJoin: null, owner: conn };
    g.members.set(stored.memberId, joined);
    const parked = new Promise<JoinGroupResponse>((resolve) => (joined.pendingJoin = resolve));
    if (g.state !== 'PreparingRebalance') this.startRebalance(g);
    this.completeIfAllJoined(g);
    return parked;
  }

  private startRebalance(g: FakeGroup): void {
    g.state = 'PreparingRebalance';
    g.rebalanceDeadline = Date.now() + this.maxRebalanceTimeout(g);
    this.persist(g);
  }

  private completeIfAllJoined(g: FakeGroup): void {
    if (g.state !== 'PreparingRebalance') return;
    if ([...g.members.values()].every((m) => m.pendingJoin !== null)) this.complete(g);
  }

  private removeMembers(g: FakeGroup, ids: readonly string[]): void {
    for (const id of ids) {
      const m = g.members.get(id);
      if (!m) continue;
      answerJoin(m, errorJoin(ErrorCode.UNKNOWN_MEMBER_ID, id));
      g.members.delete(id);
    }
    if (g.members.size === 0) return this.complete(g);
    if (g.state !== 'PreparingRebalance') this.startRebalance(g);
    this.completeIfAllJoined(g);
  }

  /** Ends the join phase: a new generation with every partition assigned to exactly one member (or withheld). */
  private complete(g: FakeGroup): void {
    g.generationId++;
    const members = [...g.members.values()];
    if (members.length === 0) {
      g.state = 'Empty';
      g.leaderId = '';
      this.persist(g);
      return;
    }
    const first = members[0].stored.assignors;
    g.assignor = first.find((a) => members.every((m) => m.stored.assignors.includes(a))) ?? first[0];
    const partitionCounts = new Map<string, number>();
    for (const t of new Set(members.flatMap((m) => m.stored.topics))) {
      const n = this.host.partitionCount(t);
      if (n !== undefined) partitionCounts.set(t, n);
    }
    g.assignedCounts = partitionCounts;
    const plan = computeAssignment(g.assignor, {
      members: members.map((m) => ({ memberId: m.stored.memberId, topics: m.stored.topics, owned: m.stored.assignment })),
      partitionCounts,
    });
    const cooperative = g.assignor === 'cooperative-sticky';
    for (const m of members) {
      const next = plan.get(m.stored.memberId) ?? [];
      m.stored.revoking = cooperative ? revokingPartitions(m.stored.assignment, next, plan) : [];
      m.stored.assignment = next;
    }
    g.leaderId = members[0].stored.memberId;
    g.state = 'Stable';
    this.persist(g);
    const now = Date.now();
    for (const m of members) {
      m.sessionDeadline = now + m.stored.sessionTimeoutMs;
      answerJoin(m, {
        errorCode: ErrorCode.NONE,
        generationId: g.generationId,
        memberId: m.stored.memberId,
        leaderId: g.leaderId,
        assignor: g.assignor,
        assignment: m.stored.assignment,
      });
    }
  }

  /** Whether a subscribed topic's partition count differs from the one the assignment used (a restored group takes today's as its baseline). */
  private partitionCountsChanged(g: FakeGroup): boolean {
    let changed = false;
    for (const t of new Set([...g.members.values()].flatMap((m) => m.stored.topics))) {
      const n = this.host.partitionCount(t);
      if (n === undefined) continue;
      const seen = g.assignedCounts.get(t);
      if (seen === undefined) g.assignedCounts.set(t, n);
      else if (seen !== n) changed = true;
    }
    return changed;
  }

  /** As the real store's deleteGroup script: refused with members, unknown if nothing of the group is stored; the actor starts over. */
  private deleteGroup(g: FakeGroup): void {
    if (g.members.size > 0) throw TributaryError.of('NON_EMPTY_GROUP', `group '${g.groupId}' has ${g.members.size} member(s)`);
    const id = g.groupId;
    if (!this.saved.has(id) && !this.offsets.has(id) && !this.groupIds.has(id)) throw TributaryError.of('GROUP_ID_NOT_FOUND');
    this.saved.delete(id);
    this.offsets.delete(id);
    this.groupIds.delete(id);
    g.state = 'Empty';
    g.generationId = 0;
    g.assignor = '';
    g.leaderId = '';
    g.assignedCounts = new Map();
  }

  private storeOffsets(req: CommitOffsetsRequest): void {
    const stored = this.offsets.get(req.groupId) ?? new Map<string, CommittedOffset>();
    for (const o of req.offsets)
      stored.set(`${o.topic}:${o.partition}`, { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' });
    this.offsets.set(req.groupId, stored);
    this.groupIds.add(req.groupId);
  }

  private persist(g: FakeGroup): void {
    this.saved.set(g.groupId, {
      state: g.state,
      generationId: g.generationId,
      assignor: g.assignor,
      leaderId: g.leaderId,
      members: structuredClone([...g.members.values()].map((m) => m.stored)),
    });
    this.groupIds.add(g.groupId);
  }

  private describe(groupId: string): DescribedGroup {
    const g = this.saved.get(groupId);
    const coordinatorId = this.holder(groupId);
    if (!g)
      return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, state: 'Dead', generationId: -1, assignor: '', leaderId: '', coordinatorId, members: [] };
    return {
      groupId,
      errorCode: ErrorCode.NONE,
      state: g.state,
      generationId: g.generationId,
      assignor: g.assignor,
      leaderId: g.leaderId,
      coordinatorId,
      members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, topics: m.topics, assignment: m.assignment })),
    };
  }

  /** The broker holding the group's lease: the coordinator once it took the group on, else -1. */
  private holder(groupId: string): number {
    return this.groups.has(groupId) ? this.coordinatorId : -1;
  }

  /**
   * Binds a member id to the connection it joined on while that connection is open: another
   * connection is told the member does not exist. A member whose connection dropped moves to
   * the next one (the SDK reconnects after a network error).
   */
  private claim(g: FakeGroup, memberId: string, conn: FakeGroupConnection): LiveMember | undefined {
    const m = g.members.get(memberId);
    if (!m) return m;
    if (m.owner && m.owner.connectionId !== conn.connectionId && m.owner.isConnected()) {
      throw TributaryError.of('UNKNOWN_MEMBER_ID', `member '${memberId}' of group '${g.groupId}' belongs to another connection`);
    }
    m.owner = conn;
    return m;
  }

  private check(g: FakeGroup, memberId: string, generationId: number): LiveMember {
    const m = g.members.get(memberId);
    if (!m) throw TributaryError.of('UNKNOWN_MEMBER_ID');
    if (generationId !== g.generationId) throw TributaryError.of('ILLEGAL_GENERATION', `generation ${generationId} is not the current ${g.generationId}`);
    return m;
  }

  private fenceView(g: FakeGroup): FenceView {
    return { generationId: g.generationId, members: new Map([...g.members].map(([id, m]) => [id, m.stored])) };
  }

  private maxRebalanceTimeout(g: FakeGroup): number {
    return Math.max(0, ...[...g.members.values()].map((m) => m.stored.rebalanceTimeoutMs));
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

function answerJoin(m: LiveMember, response: JoinGroupResponse): void {
  const resolve = m.pendingJoin;
  m.pendingJoin = null;
  resolve?.(response);
}

function errorJoin(errorCode: number, memberId: string): JoinGroupResponse {
  return { errorCode, memberId, generationId: -1, leaderId: '', assignor: '', assignment: [] };
}
