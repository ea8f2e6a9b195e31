/**
 * One consumer group's coordinator in the fake broker: the real broker's rebalance state machine
 * (@tributary/protocol's GroupStateMachine, which the broker's GroupCoordinatorActor runs too)
 * with the store a Map. JavaScript runs each request to its end before the next, which is what
 * the real actor's mailbox buys; every transition is saved before anyone is answered, as the
 * real one writes Redis first.
 */
import { randomUUID } from 'crypto';
import {
  GroupStateMachine,
  type CommitOffsetsRequest,
  type GroupCaller,
  type GroupRecord,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from '@tributary/protocol';

/** Who sends a member request: the connection a member is bound to while it is open (the fake has no principals). */
export type FakeGroupConnection = Omit<GroupCaller, 'principal'>;

/** A group as saved at each transition: what describe, list and a successor coordinator read. */
export type FakeSavedGroup = GroupRecord;

export interface FakeGroupActorDeps {
  groupId: string;
  partitionCount: (topic: string) => number | undefined;
  /** members the group may have (GROUP_MAX_SIZE) */
  maxSize: () => number;
  save: (group: FakeSavedGroup) => void;
}

export class FakeGroupActor {
  private readonly group: GroupStateMachine;

  /** `stored`: the group as last saved; a new coordinator gives each member a full session, and a rebalance under way starts over. */
  constructor(
    private readonly deps: FakeGroupActorDeps,
    stored: FakeSavedGroup | undefined,
  ) {
    this.group = new GroupStateMachine(
      { groupId: deps.groupId, now: Date.now, maxSize: deps.maxSize, partitionCount: deps.partitionCount, randomId: randomUUID },
      stored && { ...stored, members: structuredClone(stored.members) },
    );
  }

  /** Resolves when the rebalance completes; refusals are thrown at once. */
  join(req: JoinGroupRequest, conn: FakeGroupConnection): Promise<JoinGroupResponse> {
    const parked = this.group.join(req, conn);
    this.apply();
    return parked;
  }

  sync(req: SyncGroupRequest, conn: FakeGroupConnection): SyncGroupResponse {
    return this.group.sync(req, conn);
  }

  heartbeat(req: HeartbeatRequest, conn: FakeGroupConnection): void {
    this.group.heartbeat(req, conn);
  }

  leave(req: LeaveGroupRequest, conn: FakeGroupConnection): void {
    this.group.leave(req, conn);
    this.apply();
  }

  /** Throws the commit's refusal, if any; the caller stores the offsets. */
  checkCommit(req: CommitOffsetsRequest, conn: FakeGroupConnection): void {
    this.group.checkCommit(req, conn);
  }

  /** Refused with members; `deleteStored` deletes what is saved (or throws GROUP_ID_NOT_FOUND); then the group starts over from generation 0. */
  deleteGroup(deleteStored: () => void): void {
    this.group.assertDeletable();
    deleteStored();
    this.group.deleted();
  }

  /** Session expiry and rebalance deadlines. */
  tick(now: number): void {
    this.group.tick(now);
    this.apply();
  }

  /** Answers parked joins so their clients look for the new coordinator. */
  close(): void {
    this.group.close();
  }

  /** Saves and answers, in the order the transition asked (a Map never refuses a save). */
  private apply(): void {
    for (const e of this.group.takeEffects()) {
      if (e.kind === 'persist') this.deps.save({ ...e.group, members: structuredClone(e.group.members) });
      else if (e.kind === 'answer') e.resolve(e.response);
    }
  }
}
