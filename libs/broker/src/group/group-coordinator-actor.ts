import { randomUUID } from 'crypto';
import type { GroupStore, StoredGroup, StoredMember } from '@tributary/coordination';
import {
  checkCommit,
  computeAssignment,
  ErrorCode,
  revokingPartitions,
  TributaryError,
  type AssignorName,
  type CommitOffsetsRequest,
  type FenceView,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from '@tributary/protocol';
import { Mailbox } from '../actor/mailbox';
import type { GroupMemberConnection, LiveMember } from './group-member';
import type { BrokerLogger } from '../logging/broker-logger';

export interface GroupActorDeps {
  groupId: string;
  brokerId: number;
  store: GroupStore;
  partitionCount: (topic: string) => number | undefined;
  now: () => number;
  /** members the group may have; a new member beyond it is GROUP_MAX_SIZE_REACHED (default: unbounded) */
  maxSize?: number;
  /** called when a lease-fenced write failed: another broker owns the group now */
  onDeposed: () => void;
  /** rebalances are logged here (one line per generation) */
  logger?: BrokerLogger;
}

/**
 * One consumer group's rebalance state machine (Empty -> PreparingRebalance -> Stable), on one
 * mailbox so joins, heartbeats, leaves, commits and session expiry never interleave. Every
 * transition is written to Redis before anyone is answered, so a successor coordinator resumes
 * the same generation. Assignments are computed here, not by a leader member: see README.
 */
export class GroupCoordinatorActor {
  private readonly mailbox = new Mailbox();
  private readonly members = new Map<string, LiveMember>();
  private state: StoredGroup['state'] = 'Empty';
  private generationId = 0;
  private assignor: AssignorName | '' = '';
  private leaderId = '';
  private rebalanceDeadline = 0;
  private deposed = false;
  /** each subscribed topic's partition count as the current assignment saw it (createPartitions grows it) */
  private assignedCounts = new Map<string, number>();

  constructor(
    private readonly deps: GroupActorDeps,
    stored: StoredGroup | null,
  ) {
    if (!stored) return;
    const now = deps.now();
    this.generationId = stored.generationId;
    this.assignor = stored.assignor;
    this.leaderId = stored.leaderId;
    // a new coordinator cannot know when members last heartbeated: each gets a full session
    for (const m of stored.members) this.members.set(m.memberId, { stored: m, sessionDeadline: now + m.sessionTimeoutMs, pendingJoin: null });
    this.state = stored.members.length === 0 ? 'Empty' : stored.state;
    // joins parked on the old coordinator died with it; the rebalance starts over with a fresh deadline
    if (this.state === 'PreparingRebalance') this.rebalanceDeadline = now + this.maxRebalanceTimeout();
  }

  get isDeposed(): boolean {
    return this.deposed;
  }

  join(req: JoinGroupRequest, conn?: GroupMemberConnection): Promise<JoinGroupResponse> {
    // the join is parked outside the mailbox: it resolves when the rebalance completes, and
    // the mailbox must stay free meanwhile for the other members' joins and heartbeats
    return this.mailbox.post(() => this.onJoin(req, conn)).then(({ parked }) => parked);
  }

  sync(req: SyncGroupRequest, conn?: GroupMemberConnection): Promise<SyncGroupResponse> {
    return this.mailbox.post(() => {
      this.claim(req.memberId, conn);
      const m = this.check(req.memberId, req.generationId);
      if (this.state === 'PreparingRebalance') throw TributaryError.of('REBALANCE_IN_PROGRESS');
      return { errorCode: ErrorCode.NONE, assignment: m.stored.assignment };
    });
  }

  heartbeat(req: HeartbeatRequest, conn?: GroupMemberConnection): Promise<void> {
    return this.mailbox.post(() => {
      const m = this.claim(req.memberId, conn);
      if (!m) throw TributaryError.of('UNKNOWN_MEMBER_ID');
      m.sessionDeadline = this.deps.now() + m.stored.sessionTimeoutMs;
      if (this.state === 'PreparingRebalance') throw TributaryError.of('REBALANCE_IN_PROGRESS');
      if (req.generationId !== this.generationId) throw TributaryError.of('ILLEGAL_GENERATION');
    });
  }

  leave(req: LeaveGroupRequest, conn?: GroupMemberConnection): Promise<void> {
    return this.mailbox.post(async () => {
      if (!this.claim(req.memberId, conn)) throw TributaryError.of('UNKNOWN_MEMBER_ID');
      await this.removeMembers([req.memberId]);
    });
  }

  commit(req: CommitOffsetsRequest, conn?: GroupMemberConnection): Promise<void> {
    return this.mailbox.post(async () => {
      if (req.memberId !== '') this.claim(req.memberId, conn);
      checkCommit(this.fenceView(), req);
      const code = await this.deps.store.commit({ brokerId: this.deps.brokerId, ...req });
      if (code === ErrorCode.NOT_COORDINATOR) this.depose();
      if (code !== ErrorCode.NONE) throw new TributaryError(code);
    });
  }

  /** Deletes the group (state and offsets) if it has no members; it starts over from generation 0 if anyone joins later. */
  deleteGroup(): Promise<void> {
    return this.mailbox.post(async () => {
      if (this.members.size > 0) throw TributaryError.of('NON_EMPTY_GROUP', `group '${this.deps.groupId}' has ${this.members.size} member(s)`);
      const code = await this.deps.store.deleteGroup(this.deps.brokerId, this.deps.groupId);
      if (code === ErrorCode.NOT_COORDINATOR) this.depose();
      if (code !== ErrorCode.NONE) throw new TributaryError(code);
      this.state = 'Empty';
      this.generationId = 0;
      this.assignor = '';
      this.leaderId = '';
      this.assignedCounts = new Map();
    });
  }

  /** Session expiry and rebalance deadlines; the manager calls it on a timer. */
  tick(): Promise<void> {
    return this.mailbox.post(async () => {
      const now = this.deps.now();
      const expired = [...this.members.values()].filter((m) => m.pendingJoin === null && m.sessionDeadline <= now && this.state !== 'PreparingRebalance');
      if (expired.length > 0) await this.removeMembers(expired.map((m) => m.stored.memberId));
      // Kafka's members rejoin when a subscribed topic's partition count changes; here the
      // coordinator computes assignments, so it notices and starts the rebalance itself.
      if (this.state === 'Stable' && this.partitionCountsChanged()) await this.startRebalance();
      if (this.state === 'PreparingRebalance' && now >= this.rebalanceDeadline) {
        // members that did not rejoin in time are out (Kafka's rule), then the rest go ahead
        const late = [...this.members.values()].filter((m) => m.pendingJoin === null).map((m) => m.stored.memberId);
        for (const id of late) this.members.delete(id);
        await this.complete();
      }
    });
  }

  /** Answers parked joins so their clients look for the new coordinator. */
  close(): void {
    for (const m of this.members.values()) this.answerJoin(m, errorJoin(ErrorCode.NOT_COORDINATOR, m.stored.memberId));
  }

  private async onJoin(req: JoinGroupRequest, conn: GroupMemberConnection | undefined): Promise<{ parked: Promise<JoinGroupResponse> }> {
    if (this.deposed) throw TributaryError.of('NOT_COORDINATOR');
    let member = req.memberId === '' ? undefined : this.claim(req.memberId, conn);
    if (req.memberId !== '' && !member) throw TributaryError.of('UNKNOWN_MEMBER_ID');
    const maxSize = this.deps.maxSize ?? Infinity;
    if (!member && this.members.size >= maxSize) {
      throw TributaryError.of('GROUP_MAX_SIZE_REACHED', `group '${this.deps.groupId}' has ${this.members.size} members, the most GROUP_MAX_SIZE allows`);
    }
    const others = [...this.members.values()].filter((m) => m.stored.memberId !== req.memberId);
    if (others.length > 0 && !req.assignors.some((a) => others.every((o) => o.stored.assignors.includes(a)))) {
      throw TributaryError.of('INCONSISTENT_GROUP_PROTOCOL', `none of ${req.assignors.join(', ')} is supported by every member`);
    }
    const stored: StoredMember = {
      memberId: member?.stored.memberId ?? `${req.clientId || 'member'}-${randomUUID()}`,
      clientId: req.clientId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      topics: [...req.topics].sort(),
      assignors: req.assignors,
      assignment: member?.stored.assignment ?? [],
      ...(conn ? { principal: conn.principal } : member?.stored.principal !== undefined ? { principal: member.stored.principal } : {}),
    };
    if (member) this.answerJoin(member, errorJoin(ErrorCode.REBALANCE_IN_PROGRESS, stored.memberId));
    member = { stored, sessionDeadline: this.deps.now() + stored.sessionTimeoutMs, pendingJoin: null, owner: conn ?? member?.owner };
    this.members.set(stored.memberId, member);
    const parked = new Promise<JoinGroupResponse>((resolve) => {
      if (member) member.pendingJoin = resolve;
    });
    if (this.state !== 'PreparingRebalance') await this.startRebalance();
    await this.completeIfAllJoined();
    return { parked };
  }

  /**
   * Whether a subscribed topic's partition count differs from the one the assignment used. A
   * group restored from Redis (a new coordinator) takes the counts as they are now as its
   * baseline rather than rebalancing on every coordinator move.
   */
  private partitionCountsChanged(): boolean {
    let changed = false;
    for (const t of new Set([...this.members.values()].flatMap((m) => m.stored.topics))) {
      const n = this.deps.partitionCount(t);
      if (n === undefined) continue;
      const seen = this.assignedCounts.get(t);
      if (seen === undefined) this.assignedCounts.set(t, n);
      else if (seen !== n) changed = true;
    }
    return changed;
  }

  private async startRebalance(): Promise<void> {
    this.state = 'PreparingRebalance';
    this.rebalanceDeadline = this.deps.now() + this.maxRebalanceTimeout();
    await this.persist();
  }

  private async completeIfAllJoined(): Promise<void> {
    if (this.state !== 'PreparingRebalance') return;
    if ([...this.members.values()].every((m) => m.pendingJoin !== null)) await this.complete();
  }

  private async removeMembers(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const m = this.members.get(id);
      if (!m) continue;
      this.answerJoin(m, errorJoin(ErrorCode.UNKNOWN_MEMBER_ID, id));
      this.members.delete(id);
    }
    if (this.members.size === 0) return this.complete();
    if (this.state !== 'PreparingRebalance') await this.startRebalance();
    await this.completeIfAllJoined();
  }

  /** Ends the join phase: a new generation with every partition assigned to exactly one member (or withheld). */
  private async complete(): Promise<void> {
    this.generationId++;
    const members = [...this.members.values()];
    if (members.length === 0) {
      this.state = 'Empty';
      this.leaderId = '';
      await this.persist();
      return;
    }
    const first = members[0].stored.assignors;
    this.assignor = first.find((a) => members.every((m) => m.stored.assignors.includes(a))) ?? first[0];
    const topics = new Set(members.flatMap((m) => m.stored.topics));
    const partitionCounts = new Map<string, number>();
    for (const t of topics) {
      const n = this.deps.partitionCount(t);
      if (n !== undefined) partitionCounts.set(t, n);
    }
    this.assignedCounts = partitionCounts;
    const plan = computeAssignment(this.assignor, {
      members: members.map((m) => ({ memberId: m.stored.memberId, topics: m.stored.topics, owned: m.stored.assignment })),
      partitionCounts,
    });
    const cooperative = this.assignor === 'cooperative-sticky';
    for (const m of members) {
      const next = plan.get(m.stored.memberId) ?? [];
      m.stored.revoking = cooperative ? revokingPartitions(m.stored.assignment, next, plan) : [];
      m.stored.assignment = next;
    }
    this.leaderId = members[0].stored.memberId;
    this.state = 'Stable';
    await this.persist();
    this.deps.logger?.info('group rebalanced', {
      group: this.deps.groupId,
      generation: this.generationId,
      members: members.length,
      assignor: this.assignor,
      partitions: members.reduce((n, m) => n + m.stored.assignment.reduce((k, t) => k + t.partitions.length, 0), 0),
    });
    const now = this.deps.now();
    for (const m of members) {
      m.sessionDeadline = now + m.stored.sessionTimeoutMs;
      this.answerJoin(m, {
        errorCode: ErrorCode.NONE,
        generationId: this.generationId,
        memberId: m.stored.memberId,
        leaderId: this.leaderId,
        assignor: this.assignor,
        assignment: m.stored.assignment,
      });
    }
  }

  private async persist(): Promise<void> {
    const ok = await this.deps.store.save(this.deps.brokerId, this.snapshot());
    if (!ok) {
      this.depose();
      throw TributaryError.of('NOT_COORDINATOR', 'this broker lost the group coordinator lease');
    }
  }

  snapshot(): StoredGroup {
    return {
      groupId: this.deps.groupId,
      state: this.state,
      generationId: this.generationId,
      assignor: this.assignor,
      leaderId: this.leaderId,
      members: [...this.members.values()].map((m) => m.stored),
    };
  }

  private depose(): void {
    if (this.deposed) return;
    this.deposed = true;
    this.close();
    this.deps.onDeposed();
  }

  private fenceView(): FenceView {
    return { generationId: this.generationId, members: new Map([...this.members].map(([id, m]) => [id, m.stored])) };
  }

  /**
   * Binds a member id to who acts for it: the principal that joined it (kept in Redis, so it
   * holds on a new coordinator too), and the connection it joined on while that connection is
   * open. Another principal, or another connection while the member's own is still up, is told
   * the member does not exist, which is all it may learn. A member whose connection dropped
   * moves to its principal's next connection (the SDK reconnects after a network error).
   * Returns the member, or undefined when there is none.
   */
  private claim(memberId: string, conn: GroupMemberConnection | undefined): LiveMember | undefined {
    const m = this.members.get(memberId);
    if (!m || !conn) return m;
    if (m.stored.principal !== undefined && m.stored.principal !== conn.principal) {
      throw TributaryError.of('UNKNOWN_MEMBER_ID', `member '${memberId}' is not in group '${this.deps.groupId}' for ${conn.principal}`);
    }
    if (m.owner && m.owner.connectionId !== conn.connectionId && m.owner.isConnected()) {
      throw TributaryError.of('UNKNOWN_MEMBER_ID', `member '${memberId}' of group '${this.deps.groupId}' belongs to another connection`);
    }
    m.owner = conn;
    return m;
  }

  private check(memberId: string, generationId: number): LiveMember {
    const m = this.members.get(memberId);
    if (!m) throw TributaryError.of('UNKNOWN_MEMBER_ID');
    if (generationId !== this.generationId) throw TributaryError.of('ILLEGAL_GENERATION', `generation ${generationId} is not the current ${this.generationId}`);
    return m;
  }

  private answerJoin(m: LiveMember, response: JoinGroupResponse): void {
    const resolve = m.pendingJoin;
    m.pendingJoin = null;
    resolve?.(response);
  }

  private maxRebalanceTimeout(): number {
    return Math.max(0, ...[...this.members.values()].map((m) => m.stored.rebalanceTimeoutMs));
  }
}

function errorJoin(errorCode: number, memberId: string): JoinGroupResponse {
  return { errorCode, memberId, generationId: -1, leaderId: '', assignor: '', assignment: [] };
}
