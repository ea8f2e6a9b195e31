import {
  ErrorCode,
  Events,
  type AssignorName,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
} from '@tributary/protocol';
import { asTributaryError } from '../../errors';
import type { Logger } from '../../logger/logger';
import { sleepUnless } from '../../util/timers';
import type { CoordinatorClient } from './coordinator-client';
import { GroupMembershipError } from './group-errors';
import type { GroupJoinEvent, GroupTP } from './group-types';
import type { GroupIdentity } from './ownership-ledger';

export interface MembershipSettings {
  groupId: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  assignors: AssignorName[];
}

export interface MembershipCallbacks {
  topics: () => string[];
  /**
   * The member must stop reading these before the call returns. commitAs: 'held' commits what
   * was read under the identity each partition was held with; an identity commits under that
   * one (the coordinator keeps a cooperative member's revoking partitions in the new
   * generation); 'none' commits nothing (the coordinator forgot the member: it would be refused).
   */
  revoke: (partitions: GroupTP[], commitAs: 'held' | 'none' | GroupIdentity) => Promise<void>;
  /** the member's whole assignment for the new generation */
  assigned: (partitions: GroupTP[], event: GroupJoinEvent) => Promise<void>;
  rebalancing: () => void;
}

const key = (tp: GroupTP): string => `${tp.topic}:${tp.partition}`;

/**
 * The member side of the group protocol: join, heartbeat, rejoin when told, leave. It runs its
 * own loop, apart from the message handlers, so a slow handler never delays a heartbeat.
 * Eager assignors revoke everything before rejoining; cooperative-sticky keeps consuming what
 * it owns during the rebalance and revokes only what the new generation takes away (KIP-429).
 */
export class GroupMembership {
  memberId = '';
  generationId = -1;
  private owned: GroupTP[] = [];
  private assignor: AssignorName | '' = '';
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: { promise: Promise<void>; fire: () => void } = signal();
  /** until when the coordinator surely still counts this member (its session cannot have expired) */
  private aliveUntil = 0;
  private verifying: Promise<boolean> | null = null;
  private rejoinRequested = false;

  constructor(
    private readonly settings: MembershipSettings,
    private readonly coordinator: CoordinatorClient,
    private readonly callbacks: MembershipCallbacks,
    private readonly logger: Logger,
  ) {}

  get assignment(): GroupTP[] {
    return [...this.owned];
  }

  /** The identity to commit with now, or null before the first join (a commit from outside the group). */
  get identity(): GroupIdentity | null {
    return this.memberId === '' ? null : { memberId: this.memberId, generationId: this.generationId };
  }

  /**
   * Whether the session is surely alive: a heartbeat sent at t and answered means the coordinator
   * keeps the member at least until t + sessionTimeoutMs. After a pause (SIGSTOP, a long GC, a
   * blocked event loop) this turns false before any request could tell, so no record is handed to
   * a handler by a member the group may already have replaced.
   */
  get isSurelyAlive(): boolean {
    const margin = Math.min(1000, this.settings.sessionTimeoutMs / 10);
    return this.running && this.memberId !== '' && Date.now() < this.aliveUntil - margin;
  }

  /** Asks the coordinator at once (one heartbeat shared by every caller) when the session is in doubt. */
  async confirmAlive(): Promise<boolean> {
    if (this.isSurelyAlive) return true;
    if (!this.running || this.memberId === '') return false;
    this.verifying ??= this.probe().finally(() => (this.verifying = null));
    return this.verifying;
  }

  private async probe(): Promise<boolean> {
    const sentAt = Date.now();
    try {
      await this.heartbeatOnce(Math.min(this.settings.sessionTimeoutMs, 5000));
      this.markAlive(sentAt);
      return true;
    } catch (err) {
      const e = asTributaryError(err);
      // the coordinator refreshed the session before answering that it is rebalancing
      if (e.code === ErrorCode.REBALANCE_IN_PROGRESS) {
        this.markAlive(sentAt);
        return true;
      }
      // let the loop find out for itself at once, and rejoin or drop what it holds
      if (GroupMembershipError.isFencing(e.code)) this.wake.fire();
      return false;
    }
  }

  private markAlive(sentAt: number): void {
    this.aliveUntil = Math.max(this.aliveUntil, sentAt + this.settings.sessionTimeoutMs);
  }

  private heartbeatOnce(timeoutMs: number): Promise<HeartbeatResponse> {
    return this.coordinator.request<HeartbeatRequest, HeartbeatResponse>(
      Events.heartbeat,
      { groupId: this.settings.groupId, memberId: this.memberId, generationId: this.generationId },
      Math.max(1000, timeoutMs),
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake = signal();
    this.loop = this.run();
  }

  /** Leaves the group at once (no waiting for the session timeout), after revoking what it owns. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake.fire();
    await this.loop;
    await this.callbacks.revoke(this.owned, 'held').catch((err: unknown) => this.logger.warn('revoke on leave failed', { error: String(err) }));
    this.owned = [];
    if (this.memberId !== '') {
      await this.coordinator
        .request<LeaveGroupRequest, LeaveGroupResponse>(Events.leaveGroup, { groupId: this.settings.groupId, memberId: this.memberId }, 5000)
        .catch((err: unknown) => this.logger.warn('leaveGroup failed; the session timeout will remove the member', { error: String(err) }));
    }
    this.memberId = '';
    this.generationId = -1;
    this.aliveUntil = 0;
  }

  /** Makes the loop rejoin now (e.g. the subscription changed). */
  requestRejoin(): void {
    // a flag, not generationId = -1: a join in progress keeps the identity it was just given
    this.rejoinRequested = true;
    this.wake.fire();
  }

  private async run(): Promise<void> {
    let needJoin = true;
    let failures = 0;
    while (this.running) {
      let heartbeatSentAt = 0;
      try {
        if (needJoin || this.generationId < 0 || this.rejoinRequested) {
          this.rejoinRequested = false;
          needJoin = await this.join();
        } else {
          await sleepUnless(this.settings.heartbeatIntervalMs, this.wake.promise);
          if (!this.running) break;
          this.wake = signal();
          if (this.generationId < 0 || this.rejoinRequested) continue;
          heartbeatSentAt = Date.now();
          await this.heartbeatOnce(this.settings.sessionTimeoutMs);
          this.markAlive(heartbeatSentAt);
        }
        failures = 0;
      } catch (err) {
        const e = asTributaryError(err);
        if (e.code === ErrorCode.REBALANCE_IN_PROGRESS || e.code === ErrorCode.ILLEGAL_GENERATION) {
          // the coordinator refreshed the session before answering that it is rebalancing
          if (e.code === ErrorCode.REBALANCE_IN_PROGRESS && heartbeatSentAt > 0) this.markAlive(heartbeatSentAt);
          needJoin = true;
          this.callbacks.rebalancing();
          continue;
        }
        if (e.code === ErrorCode.UNKNOWN_MEMBER_ID) {
          // the coordinator forgot us: what we held may belong to someone else already, and
          // what we read since the last commit is dropped (a commit now would be refused)
          this.aliveUntil = 0;
          await this.callbacks.revoke(this.owned, 'none').catch(() => undefined);
          this.owned = [];
          this.memberId = '';
          this.generationId = -1;
          needJoin = true;
          continue;
        }
        failures++;
        this.logger.warn('group request failed, retrying', { groupId: this.settings.groupId, error: e.message, code: e.code });
        await sleepUnless(Math.min(100 * 2 ** Math.min(failures, 5), 2000), this.wake.promise);
        if (this.running) this.wake = signal();
      }
    }
  }

  /** One join round; returns true when another round is needed at once (cooperative revocation). */
  private async join(): Promise<boolean> {
    // the group's assignor once known, else our first choice (what the group will most likely pick)
    const eager = (this.assignor || this.settings.assignors[0]) !== 'cooperative-sticky';
    if (eager && this.owned.length > 0) {
      await this.callbacks.revoke(this.owned, 'held');
      this.owned = [];
    }
    const joinedAt = Date.now();
    const response = await this.coordinator.request<JoinGroupRequest, JoinGroupResponse>(
      Events.joinGroup,
      {
        groupId: this.settings.groupId,
        memberId: this.memberId,
        clientId: this.settings.clientId,
        sessionTimeoutMs: this.settings.sessionTimeoutMs,
        rebalanceTimeoutMs: this.settings.rebalanceTimeoutMs,
        topics: this.callbacks.topics(),
        assignors: this.settings.assignors,
      },
      this.settings.rebalanceTimeoutMs + 10_000,
    );
    this.memberId = response.memberId;
    this.generationId = response.generationId;
    this.assignor = response.assignor;
    // the coordinator restarts every session when it completes the rebalance, after this was sent
    this.markAlive(joinedAt);
    const next = response.assignment.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    const nextKeys = new Set(next.map(key));
    const lost = this.owned.filter((tp) => !nextKeys.has(key(tp)));
    // held without a break until now: the coordinator lets this generation commit them while revoking
    if (lost.length > 0) await this.callbacks.revoke(lost, { memberId: this.memberId, generationId: this.generationId });
    this.owned = next;
    await this.callbacks.assigned(next, {
      groupId: this.settings.groupId,
      memberId: response.memberId,
      generationId: response.generationId,
      assignor: this.assignor,
      isLeader: response.leaderId === this.memberId,
      assignment: next,
    });
    // KIP-429: having given partitions up, rejoin so the next generation can hand them over
    return this.assignor === 'cooperative-sticky' && lost.length > 0;
  }
}

function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}
