import { reasonOf } from '../logging/broker-logger';
import type { ReplicaCore } from './replica-core';

/** Renewals start well before the lease can lapse; acks stop before it does. */
export const LEASE_SAFETY = 0.75;

/**
 * This replica's side of leader election: claims an epoch in Redis, renews its lease, and
 * knows until when (on the local monotonic clock) acks are surely safe. The lease itself lives
 * in Redis with a PX expiry; the local deadline is a conservative shadow of it, started before
 * the request was sent and shortened by LEASE_SAFETY.
 */
export class Election {
  /** the epoch whose lease this broker holds, and until when acks are safe */
  private leaseEpoch = -1;
  private leaseValidUntil = 0;
  private renewing = false;
  private claiming = false;
  private leaseMissingTicks = 0;
  private readonly createdAt: number;

  constructor(private readonly core: ReplicaCore) {
    this.createdAt = core.clock.now();
  }

  /** True when the current epoch is the one this broker claimed (a claim or a renewal confirmed it). */
  get ownsCurrentEpoch(): boolean {
    return this.leaseEpoch === this.core.state.leaderEpoch;
  }

  /** Acks are safe: this broker holds the current epoch's lease and its safe window is open. */
  confirmed(now = this.core.clock.now()): boolean {
    return this.ownsCurrentEpoch && now < this.leaseValidUntil;
  }

  /** The safe window has closed (whatever epoch it was for). */
  windowClosed(now = this.core.clock.now()): boolean {
    return now >= this.leaseValidUntil;
  }

  /** This broker held the current epoch's lease, and can no longer be sure it still does. */
  lapsed(now = this.core.clock.now()): boolean {
    return this.ownsCurrentEpoch && now >= this.leaseValidUntil;
  }

  /** A follower holds no lease. */
  forget(): void {
    this.leaseValidUntil = 0;
    this.leaseEpoch = -1;
  }

  /** Leader's tick: claim the epoch if metadata alone made it leader, else renew ahead of time. */
  maintain(now: number): void {
    if (!this.ownsCurrentEpoch) void this.claim();
    else if (this.leaseValidUntil - now < this.core.ctx.leaderLeaseMs * LEASE_SAFETY * 0.6) void this.renew();
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    const { ctx, clock } = this.core;
    const startedAt = clock.now();
    const epoch = this.core.state.leaderEpoch;
    try {
      const ok = await ctx.store.renewLeaderLease(this.core.topic, this.core.partition, this.core.incarnation, epoch, ctx.leaderLeaseMs);
      if (ok && this.leaseEpoch === epoch) this.leaseValidUntil = startedAt + ctx.leaderLeaseMs * LEASE_SAFETY;
      if (!ok) {
        this.core.logger.warn('leadership lease lost: another replica may lead now', { epoch, brokerId: this.core.me });
        this.leaseValidUntil = 0;
        ctx.reloadMetadata();
      }
    } catch {
      // Redis unreachable: acks stop by themselves when leaseValidUntil passes.
    } finally {
      this.renewing = false;
    }
  }

  /** A follower in the ISR claims once the lease is seen missing (twice, early in the partition's life). */
  async maybeClaim(): Promise<void> {
    if (this.claiming) return;
    const { ctx, clock } = this.core;
    try {
      const held = await ctx.store.isLeaderLeaseHeld(this.core.topic, this.core.partition);
      this.leaseMissingTicks = held ? 0 : this.leaseMissingTicks + 1;
      // Right after creation every replica looks at a lease nobody took yet: waiting a second
      // tick then lets the named leader claim first. Later, one missing tick is enough.
      const settled = clock.now() - this.createdAt > ctx.leaderLeaseMs * 2;
      if (this.leaseMissingTicks >= 2 || (this.leaseMissingTicks >= 1 && (settled || !ctx.brokerUrl(this.core.state.leader)))) await this.claim();
    } catch {
      // Redis unreachable: nobody can claim, try again next tick.
    }
  }

  /**
   * Claims a new epoch. On success the log records where the epoch starts (through the
   * mailbox, after any append in progress) before metadata makes this replica the leader.
   */
  async claim(): Promise<void> {
    if (this.claiming) return;
    this.claiming = true;
    const core = this.core;
    const startedAt = core.clock.now();
    const previous = { leader: core.state.leader, epoch: core.state.leaderEpoch };
    try {
      const r = await core.ctx.store.claimLeadership(
        core.topic,
        core.partition,
        core.incarnation,
        core.ctx.leaderLeaseMs,
        core.config['unclean.leader.election.enable'],
        core.log.latestEpoch(),
      );
      if ('epoch' in r) {
        this.leaseEpoch = r.epoch;
        const epoch = r.epoch;
        await core.post(() => core.log.assignEpochStart(epoch));
        this.leaseValidUntil = startedAt + core.ctx.leaderLeaseMs * LEASE_SAFETY;
        this.leaseMissingTicks = 0;
        // A new partition's first claim by its designated leader is routine (debug); every
        // other claim (failover, restart) is a leadership change an operator wants to see.
        const routine = previous.epoch <= 0 && previous.leader === core.me;
        core.logger[routine ? 'debug' : 'info']('leadership claimed', {
          epoch,
          previousEpoch: previous.epoch,
          previousLeader: previous.leader,
          leader: core.me,
          isr: core.state.isr,
          logEndOffset: core.log.logEndOffset,
        });
        core.ctx.reloadMetadata();
      }
    } catch (err) {
      // try again next tick (debug: while Redis is away every tick fails the same way)
      core.logger.debug('leadership claim failed', { reason: reasonOf(err) });
    } finally {
      this.claiming = false;
    }
  }
}
