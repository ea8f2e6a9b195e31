import { randomUUID } from 'crypto';
import type { GroupStore, StoredGroup } from '@tributary/coordination';
import {
  ErrorCode,
  GroupStateMachine,
  joinRefusal,
  TributaryError,
  type CommitOffsetsRequest,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from '@tributary/protocol';
import { Mailbox } from '../actor/mailbox';
import type { GroupMemberConnection } from './group-member';
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
 * One consumer group's coordinator: the rebalance state machine (@tributary/protocol's
 * GroupStateMachine, shared with the SDK's fake broker) on one mailbox so joins, heartbeats,
 * leaves, commits and session expiry never interleave. Every transition is written to Redis
 * (lease-fenced) before anyone is answered, so a successor coordinator resumes the same
 * generation. Assignments are computed by the coordinator, not by a leader member: see README.
 */
export class GroupCoordinatorActor {
  private readonly mailbox = new Mailbox();
  private readonly group: GroupStateMachine;
  private deposed = false;

  constructor(
    private readonly deps: GroupActorDeps,
    stored: StoredGroup | null,
  ) {
    const maxSize = deps.maxSize ?? Infinity;
    this.group = new GroupStateMachine(
      { groupId: deps.groupId, now: deps.now, maxSize: () => maxSize, partitionCount: deps.partitionCount, randomId: randomUUID },
      stored,
    );
  }

  get isDeposed(): boolean {
    return this.deposed;
  }

  join(req: JoinGroupRequest, conn?: GroupMemberConnection): Promise<JoinGroupResponse> {
    // the join is parked outside the mailbox: it resolves when the rebalance completes, and
    // the mailbox must stay free meanwhile for the other members' joins and heartbeats
    return this.mailbox
      .post(async () => {
        if (this.deposed) throw TributaryError.of('NOT_COORDINATOR');
        const parked = this.group.join(req, conn);
        await this.apply();
        return { parked };
      })
      .then(({ parked }) => parked);
  }

  sync(req: SyncGroupRequest, conn?: GroupMemberConnection): Promise<SyncGroupResponse> {
    return this.mailbox.post(() => this.group.sync(req, conn));
  }

  heartbeat(req: HeartbeatRequest, conn?: GroupMemberConnection): Promise<void> {
    return this.mailbox.post(() => this.group.heartbeat(req, conn));
  }

  leave(req: LeaveGroupRequest, conn?: GroupMemberConnection): Promise<void> {
    return this.mailbox.post(async () => {
      this.group.leave(req, conn);
      await this.apply();
    });
  }

  commit(req: CommitOffsetsRequest, conn?: GroupMemberConnection): Promise<void> {
    return this.mailbox.post(async () => {
      this.group.checkCommit(req, conn);
      const code = await this.deps.store.commit({ brokerId: this.deps.brokerId, ...req });
      if (code === ErrorCode.NOT_COORDINATOR) this.depose();
      if (code !== ErrorCode.NONE) throw new TributaryError(code);
    });
  }

  /** Deletes the group (state and offsets) if it has no members; it starts over from generation 0 if anyone joins later. */
  deleteGroup(): Promise<void> {
    return this.mailbox.post(async () => {
      this.group.assertDeletable();
      const code = await this.deps.store.deleteGroup(this.deps.brokerId, this.deps.groupId);
      if (code === ErrorCode.NOT_COORDINATOR) this.depose();
      if (code !== ErrorCode.NONE) throw new TributaryError(code);
      this.group.deleted();
    });
  }

  /** Session expiry and rebalance deadlines; the manager calls it on a timer. */
  tick(): Promise<void> {
    return this.mailbox.post(async () => {
      this.group.tick(this.deps.now());
      await this.apply();
    });
  }

  /** Answers parked joins so their clients look for the new coordinator. */
  close(): void {
    this.group.close();
  }

  snapshot(): StoredGroup {
    return { groupId: this.deps.groupId, ...this.group.snapshot() };
  }

  /**
   * Performs what the last transition asked, in order: each save before the answers after it.
   * A save the lease fences off deposes this coordinator; the answers that were to follow it
   * become NOT_COORDINATOR so those clients look for the new one.
   */
  private async apply(): Promise<void> {
    const effects = this.group.takeEffects();
    for (const [i, e] of effects.entries()) {
      if (e.kind === 'answer') e.resolve(e.response);
      else if (e.kind === 'rebalanced') {
        this.deps.logger?.info('group rebalanced', {
          group: this.deps.groupId,
          generation: e.generation,
          members: e.members,
          assignor: e.assignor,
          partitions: e.partitions,
        });
      } else if (!(await this.deps.store.save(this.deps.brokerId, { groupId: this.deps.groupId, ...e.group }))) {
        for (const rest of effects.slice(i + 1)) if (rest.kind === 'answer') rest.resolve(joinRefusal(ErrorCode.NOT_COORDINATOR, rest.memberId));
        this.depose();
        throw TributaryError.of('NOT_COORDINATOR', 'this broker lost the group coordinator lease');
      }
    }
  }

  private depose(): void {
    if (this.deposed) return;
    this.deposed = true;
    this.close();
    this.deps.onDeposed();
  }
}
