/**
 * One consumer group's rebalance state machine in the fake broker: a transcription of the real
 * GroupCoordinatorActor (libs/broker/src/group/group-coordinator-actor.ts), method for method,
 * with the same assignors and commit rules (@tributary/protocol). JavaScript runs each request
 * to its end before the next, which is what the real actor's mailbox buys. Every transition is
 * saved before anyone is answered, as the real one writes Redis first.
 */
import { randomUUID } from 'crypto';
import {
  checkCommit,
  computeAssignment,
  ErrorCode,
  revokingPartitions,
  TributaryError,
  type AssignorName,
  type CommitOffsetsRequest,
  type GroupState,
  type GroupTopicPartitions,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from '@tributary/protocol';

/** Who sends a member request: the connection a member is bound to while it is open. */
export interface FakeGroupConnection {
  connectionId: string;
  isConnected(): boolean;
}

/** A member as the coordinator stores it (the real StoredMember, less the principal: the fake has one). */
export interface FakeStoredMember {
  memberId: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  topics: string[];
  assignors: AssignorName[];
  assignment: GroupTopicPartitions[];
  revoking?: GroupTopicPartitions[];
}

/** A group as saved at each transition: what describe, list and a successor coordinator read. */
export interface FakeSavedGroup {
  state: GroupState;
  generationId: number;
  assignor: AssignorName | '';
  leaderId: string;
  members: FakeStoredMember[];
}

export interface FakeGroupActorDeps {
  groupId: string;
  partitionCount: (topic: string) => number | undefined;
  /** members the group may have (GROUP_MAX_SIZE) */
  maxSize: () => number;
  save: (group: FakeSavedGroup) => void;
}

interface LiveMember {
  stored: FakeStoredMember;
  sessionDeadline: number;
  pendingJoin: ((response: JoinGroupResponse) => void) | null;
  owner?: FakeGroupConnection;
}

export class FakeGroupActor {
  private readonly members = new Map<string, LiveMember>();
  private state: GroupState = 'Empty';
  private generationId = 0;
  private assignor: AssignorName | '' = '';
  private leaderId = '';
  private rebalanceDeadline = 0;
  private assignedCounts = new Map<string, number>();

  /** `stored`: the group as last saved; a new coordinator gives each member a full session, and a rebalance under way starts over. */
  constructor(
    private readonly deps: FakeGroupActorDeps,
    stored: FakeSavedGroup | undefined,
  ) {
    if (!stored) return;
    const now = Date.now();
    this.generationId = stored.generationId;
    this.assignor = stored.assignor;
    this.leaderId = stored.leaderId;
    for (const m of structuredClone(stored.members)) this.members.set(m.memberId, { stored: m, sessionDeadline: now + m.sessionTimeoutMs, pendingJoin: null });
    this.state = stored.members.length === 0 ? 'Empty' : stored.state;
    if (this.state === 'PreparingRebalance') this.rebalanceDeadline = now + this.maxRebalanceTimeout();
  }

  /** Resolves when the rebalance completes; refusals are thrown at once. */
  join(req: JoinGroupRequest, conn: FakeGroupConnection): Promise<JoinGroupResponse> {
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
    const stored: FakeStoredMember = {
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
    this.members.set(stored.memberId, joined);
    const parked = new Promise<JoinGroupResponse>((resolve) => (joined.pendingJoin = resolve));
    if (this.state !== 'PreparingRebalance') this.startRebalance();
    this.completeIfAllJoined();
    return parked;
  }

  sync(req: SyncGroupRequest, conn: FakeGroupConnection): SyncGroupResponse {
    this.claim(req.memberId, conn);
    const m = this.check(req.memberId, req.generationId);
    if (this.state === 'PreparingRebalance') throw TributaryError.of('REBALANCE_IN_PROGRESS');
    return { errorCode: ErrorCode.NONE, assignment: m.stored.assignment };
  }

  heartbeat(req: HeartbeatRequest, conn: FakeGroupConnection): void {
    const m = this.claim(req.memberId, conn);
    if (!m) throw TributaryError.of('UNKNOWN_MEMBER_ID');
    m.sessionDeadline = Date.now() + m.stored.sessionTimeoutMs;
    if (this.state === 'PreparingRebalance') throw TributaryError.of('REBALANCE_IN_PROGRESS');
    if (req.generationId !== this.generationId) throw TributaryError.of('ILLEGAL_GENERATION');
  }

  leave(req: LeaveGroupRequest, conn: FakeGroupConnection): void {
    if (!this.claim(req.memberId, conn)) throw TributaryError.of('UNKNOWN_MEMBER_ID');
    this.removeMembers([req.memberId]);
  }

  /** Throws the commit's refusal, if any; the caller stores the offsets. */
  checkCommit(req: CommitOffsetsRequest, conn: FakeGroupConnection): void {
    if (req.memberId !== '') this.claim(req.memberId, conn);
    checkCommit({ generationId: this.generationId, members: new Map([...this.members].map(([id, m]) => [id, m.stored])) }, req);
  }

  /** Refused with members; `deleteStored` deletes what is saved (or throws GROUP_ID_NOT_FOUND); then the group starts over from generation 0. */
  deleteGroup(deleteStored: () => void): void {
    if (this.members.size > 0) throw TributaryError.of('NON_EMPTY_GROUP', `group '${this.deps.groupId}' has ${this.members.size} member(s)`);
    deleteStored();
    this.state = 'Empty';
    this.generationId = 0;
    this.assignor = '';
    this.leaderId = '';
    this.assignedCounts = new Map();
  }

  /** Session expiry and rebalance deadlines. */
  tick(now: number): void {
    const expired = [...this.members.values()].filter((m) => m.pendingJoin === null && m.sessionDeadline <= now && this.state !== 'PreparingRebalance');
    if (expired.length > 0) this.removeMembers(expired.map((m) => m.stored.memberId));
    // the coordinator notices a subscribed topic's partition count changing and rebalances itself
    if (this.state === 'Stable' && this.partitionCountsChanged()) this.startRebalance();
    if (this.state === 'PreparingRebalance' && now >= this.rebalanceDeadline) {
      // members that did not rejoin in time are out (Kafka's rule), then the rest go ahead
      for (const m of [...this.members.values()]) if (m.pendingJoin === null) this.members.delete(m.stored.memberId);
      this.complete();
    }
  }

  /** Answers parked joins so their clients look for the new coordinator. */
  close(): void {
    for (const m of this.members.values()) answerJoin(m, errorJoin(ErrorCode.NOT_COORDINATOR, m.stored.memberId));
  }

  private startRebalance(): void {
    this.state = 'PreparingRebalance';
    this.rebalanceDeadline = Date.now() + this.maxRebalanceTimeout();
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
      answerJoin(m, errorJoin(ErrorCode.UNKNOWN_MEMBER_ID, id));
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
    const now = Date.now();
    for (const m of members) {
      m.sessionDeadline = now + m.stored.sessionTimeoutMs;
      answerJoin(m, {
        errorCode: ErrorCode.NONE,
        generationId: this.generationId,
        memberId: m.stored.memberId,
        leaderId: this.leaderId,
        assignor: this.assignor,
        assignment: m.stored.assignment,
      });
    }
  }

  /** Whether a subscribed topic's partition count differs from the one the assignment used (a restored group takes today's as its baseline). */
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

  private persist(): void {
    this.deps.save({
      state: this.state,
      generationId: this.generationId,
      assignor: this.assignor,
      leaderId: this.leaderId,
      members: structuredClone([...this.members.values()].map((m) => m.stored)),
    });
  }

  /**
   * Binds a member id to the connection it joined on while that connection is open: another
   * connection is told the member does not exist. A member whose connection dropped moves to
   * the next one (the SDK reconnects after a network error).
   */
  private claim(memberId: string, conn: FakeGroupConnection): LiveMember | undefined {
    const m = this.members.get(memberId);
    if (!m) return m;
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

  private maxRebalanceTimeout(): number {
    return Math.max(0, ...[...this.members.values()].map((m) => m.stored.rebalanceTimeoutMs));
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
