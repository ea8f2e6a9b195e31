import { ErrorCode, TributaryError } from '../errors';
import type {
  AssignorName,
  CommitOffsetsRequest,
  GroupState,
  GroupTopicPartitions,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../wire/group-messages';
import { checkCommit, revokingPartitions, type FenceView } from './commit-fencing';
import { computeAssignment } from './compute-assignment';

/** A member as the coordinator stores it (the broker's StoredMember has this shape). */
export interface GroupMemberRecord extends Omit<JoinGroupRequest, 'groupId'> {
  assignment: GroupTopicPartitions[];
  /** cooperative-sticky: partitions held in the previous generation, withheld from everybody until it rejoins */
  revoking?: GroupTopicPartitions[];
  /** the principal that joined it: only that principal may act for the member */
  principal?: string;
}

/** A group as saved at each transition: what a successor coordinator resumes from. */
export interface GroupRecord {
  state: GroupState;
  generationId: number;
  assignor: AssignorName | '';
  leaderId: string;
  members: GroupMemberRecord[];
}

/** Who sends a member request: a connection (and its principal, where the broker has one). */
export interface GroupCaller {
  connectionId: string;
  principal?: string;
  isConnected(): boolean;
}

/**
 * What a transition asks of its host, in order: save the group, answer a parked join, report a
 * completed rebalance. The host performs them after the transition, in this order, so a save
 * that fails (a lost lease) stops the answers that were to follow it.
 */
export type GroupEffect =
  | { kind: 'persist'; group: GroupRecord }
  | { kind: 'answer'; memberId: string; resolve: (response: JoinGroupResponse) => void; response: JoinGroupResponse }
  | { kind: 'rebalanced'; generation: number; members: number; assignor: AssignorName | ''; partitions: number };

export interface GroupStateMachineDeps {
  groupId: string;
  now: () => number;
  /** members the group may have; a new member beyond it is GROUP_MAX_SIZE_REACHED */
  maxSize: () => number;
  partitionCount: (topic: string) => number | undefined;
  /** a fresh unique suffix for a new member id (a UUID) */
  randomId: () => string;
}

interface LiveMember {
  stored: GroupMemberRecord;
  sessionDeadline: number;
  pendingJoin: ((response: JoinGroupResponse) => void) | null;
  owner?: GroupCaller;
}

/**
 * One consumer group's rebalance state machine (Empty -> PreparingRebalance -> Stable), shared by
 * the broker's coordinator actor and the SDK's fake broker. It never waits: each request runs to
 * its end and leaves its saves and answers in an outbox (takeEffects) that the host performs in
 * order, so "saved before anyone is answered" holds whether saving is a Redis script or a Map.
 * The host must run one request at a time (the broker's mailbox; the fake's single thread).
 */
export class GroupStateMachine {
  private readonly members = new Map<string, LiveMember>();
  private state: GroupState = 'Empty';
  private generationId = 0;
  private assignor: AssignorName | '' = '';
  private leaderId = '';
  private rebalanceDeadline = 0;
  /** each subscribed topic's partition count as the current assignment saw it (createPartitions grows it) */
  private assignedCounts = new Map<string, number>();
  private effects: GroupEffect[] = [];

  /** `stored`: the group as last saved; a new coordinator gives each member a full session, and a rebalance under way starts over. */
  constructor(
    private readonly deps: GroupStateMachineDeps,
    stored: GroupRecord | null | undefined,
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

  /** The saves and answers the requests so far left for the host, oldest first; empties the outbox. */
  takeEffects(): GroupEffect[] {
    const effects = this.effects;
    this.effects = [];
    return effects;
  }

  get memberCount(): number {
    return this.members.size;
  }

  /** Refusals are thrown at once; the promise resolves when the rebalance completes. */
  join(req: JoinGroupRequest, conn: GroupCaller | undefined): Promise<JoinGroupResponse> {
    const member = req.memberId === '' ? undefined : this.claim(req.memberId, conn);
    if (req.memberId !== '' && !member) throw TributaryError.of('UNKNOWN_MEMBER_ID');
    if (!member && this.members.size >= this.deps.maxSize()) {
      throw TributaryError.of('GROUP_MAX_SIZE_REACHED', `group '${this.deps.groupId}' has ${this.members.size} members, the most GROUP_MAX_SIZE allows`);
    }
    const others = [...this.members.values()].filter((m) => m.stored.memberId !== req.memberId);
    if (others.length > 0 && !req.assignors.some((a) => others.every((o) => o.stored.assignors.includes(a)))) {
      throw TributaryError.of('INCONSISTENT_GROUP_PROTOCOL', `none of ${req.assignors.join(', ')} is supported by every member`);
    }
    // a rejoin keeps its assignment but not what it was revoking: it rejoined without those
    const principal = conn ? conn.principal : member?.stored.principal;
    const stored: GroupMemberRecord = {
      memberId: member?.stored.memberId ?? `${req.clientId || 'member'}-${this.deps.randomId()}`,
      clientId: req.clientId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      topics: [...req.topics].sort(),
      assignors: req.assignors,
      assignment: member?.stored.assignment ?? [],
      ...(principal !== undefined ? { principal } : {}),
    };
    if (member) this.answerJoin(member, joinRefusal(ErrorCode.REBALANCE_IN_PROGRESS, stored.memberId));
    const joined: LiveMember = { stored, sessionDeadline: this.deps.now() + stored.sessionTimeoutMs, pendingJoin: null, owner: conn ?? member?.owner };
    this.members.set(stored.memberId, joined);
    const parked = new Promise<JoinGroupResponse>((resolve) => (joined.pendingJoin = resolve));
    if (this.state !== 'PreparingRebalance') this.startRebalance();
    this.completeIfAllJoined();
    return parked;
  }

  sync(req: SyncGroupRequest, conn: GroupCaller | undefined): SyncGroupResponse {
    this.claim(req.memberId, conn);
    const m = this.check(req.memberId, req.generationId);
    if (this.state === 'PreparingRebalance') throw TributaryError.of('REBALANCE_IN_PROGRESS');
    return { errorCode: ErrorCode.NONE, assignment: m.stored.assignment };
  }

  heartbeat(req: HeartbeatRequest, conn: GroupCaller | undefined): void {
    const m = this.claim(req.memberId, conn);
    if (!m) throw TributaryError.of('UNKNOWN_MEMBER_ID');
    m.sessionDeadline = this.deps.now() + m.stored.sessionTimeoutMs;
    if (this.state === 'PreparingRebalance') throw TributaryError.of('REBALANCE_IN_PROGRESS');
    if (req.generationId !== this.generationId) throw TributaryError.of('ILLEGAL_GENERATION');
  }

  leave(req: LeaveGroupRequest, conn: GroupCaller | undefined): void {
    if (!this.claim(req.memberId, conn)) throw TributaryError.of('UNKNOWN_MEMBER_ID');
    this.removeMembers([req.memberId]);
  }

  /** Throws the commit's refusal, if any; the host stores the offsets. */
  checkCommit(req: CommitOffsetsRequest, conn: GroupCaller | undefined): void {
    if (req.memberId !== '') this.claim(req.memberId, conn);
    checkCommit(this.fenceView(), req);
  }

  /** A group is deleted only without members. */
  assertDeletable(): void {
    if (this.members.size > 0) throw TributaryError.of('NON_EMPTY_GROUP', `group '${this.deps.groupId}' has ${this.members.size} member(s)`);
  }

  /** After the host deleted what is saved: the group starts over from generation 0 if anyone joins later. */
  deleted(): void {
    this.state = 'Empty';
    this.generationId = 0;
    this.assignor = '';
    this.leaderId = '';
    this.assignedCounts = new Map();
  }

  /** Session expiry and rebalance deadlines; the host calls it on a timer. */
  tick(now: number): void {
    const expired = [...this.members.values()].filter((m) => m.pendingJoin === null && m.sessionDeadline <= now && this.state !== 'PreparingRebalance');
    if (expired.length > 0) this.removeMembers(expired.map((m) => m.stored.memberId));
    // Kafka's members rejoin when a subscribed topic's partition count changes; here the
    // coordinator computes assignments, so it notices and starts the rebalance itself.
    if (this.state === 'Stable' && this.partitionCountsChanged()) this.startRebalance();
    if (this.state === 'PreparingRebalance' && now >= this.rebalanceDeadline) {
      // members that did not rejoin in time are out (Kafka's rule), then the rest go ahead
      const late = [...this.members.values()].filter((m) => m.pendingJoin === null).map((m) => m.stored.memberId);
      for (const id of late) this.members.delete(id);
      this.complete();
    }
  }

  /** Answers parked joins at once (not through the outbox) so their clients look for the new coordinator. */
  close(): void {
    for (const m of this.members.values()) {
      const resolve = m.pendingJoin;
      m.pendingJoin = null;
      resolve?.(joinRefusal(ErrorCode.NOT_COORDINATOR, m.stored.memberId));
    }
  }

  /** The group as it is now (members by reference). */
  snapshot(): GroupRecord {
    return {
      state: this.state,
      generationId: this.generationId,
      assignor: this.assignor,
      leaderId: this.leaderId,
      members: [...this.members.values()].map((m) => m.stored),
    };
  }

  /**
   * Whether a subscribed topic's partition count differs from the one the assignment used. A
   * group restored from a save (a new coordinator) takes the counts as they are now as its
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

  private startRebalance(): void {
    this.state = 'PreparingRebalance';
    this.rebalanceDeadline = this.deps.now() + this.maxRebalanceTimeout();
    this.persist();
  }

  private completeIfAllJoined(): void {
    if (this.state !== 'PreparingRebalance') return;
    if ([...this.members.values()].every((m) => m.pendingJoin !== null)) this.complete();
  }

  private removeMembers(ids: readonly string[]): void {
    for (const id of ids) {
      const m = this.members.get(id);
      if (!m) continue;
      this.answerJoin(m, joinRefusal(ErrorCode.UNKNOWN_MEMBER_ID, id));
      this.members.delete(id);
    }
    if (this.members.size === 0) return this.complete();
    if (this.state !== 'PreparingRebalance') this.startRebalance();
    this.completeIfAllJoined();
  }

  /** Ends the join phase: a new generation with every partition assigned to exactly one member (or withheld). */
  private complete(): void {
    this.generationId++;
    const members = [...this.members.values()];
    if (members.length === 0) {
      this.state = 'Empty';
      this.leaderId = '';
      this.persist();
      return;
    }
    const first = members[0].stored.assignors;
    this.assignor = first.find((a) => members.every((m) => m.stored.assignors.includes(a))) ?? first[0];
    const partitionCounts = new Map<string, number>();
    for (const t of new Set(members.flatMap((m) => m.stored.topics))) {
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
    this.persist();
    this.effects.push({
      kind: 'rebalanced',
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

  /**
   * Queues a save of the group as it is now. Members are copied: a later step of the same
   * request replaces their assignment, and the save must hold what this transition saw.
   */
  private persist(): void {
    const group = this.snapshot();
    this.effects.push({ kind: 'persist', group: { ...group, members: group.members.map((m) => ({ ...m })) } });
  }

  private fenceView(): FenceView {
    return { generationId: this.generationId, members: new Map([...this.members].map(([id, m]) => [id, m.stored])) };
  }

  /**
   * Binds a member id to who acts for it: the principal that joined it (saved, so it holds on a
   * new coordinator too), and the connection it joined on while that connection is open. Another
   * principal, or another connection while the member's own is still up, is told the member
   * does not exist, which is all it may learn. A member whose connection dropped moves to the
   * caller's connection (the SDK reconnects after a network error). Returns the member, if any.
   */
  private claim(memberId: string, conn: GroupCaller | undefined): LiveMember | undefined {
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

  /** Queues the answer to a parked join (if any): the host gives it after the saves queued before it. */
  private answerJoin(m: LiveMember, response: JoinGroupResponse): void {
    const resolve = m.pendingJoin;
    m.pendingJoin = null;
    if (resolve) this.effects.push({ kind: 'answer', memberId: m.stored.memberId, resolve, response });
  }

  private maxRebalanceTimeout(): number {
    return Math.max(0, ...[...this.members.values()].map((m) => m.stored.rebalanceTimeoutMs));
  }
}

/** A join's refusal, as answered to a parked join. */
export function joinRefusal(errorCode: number, memberId: string): JoinGroupResponse {
  return { errorCode, memberId, generationId: -1, leaderId: '', assignor: '', assignment: [] };
}
