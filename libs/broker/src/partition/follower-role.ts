import type { ReplicationEntry } from '@tributary/coordination';
import type { Election } from './election';
import type { ReplicaCore } from './replica-core';
import { ReplicaFetcher } from './replica-fetcher';

const RETRY_SYNC_MS = 300;

/**
 * A follower of one epoch: first truncates and catches up from the leader (the ReplicaFetcher,
 * outside the mailbox), then applies the leader's stream entries in order and reports its log
 * end. Made fresh for every epoch; ended when the epoch or the role changes, which stops its
 * catch-up from applying anything more.
 */
export class FollowerRole {
  /** stream position, null while catching up outside the stream */
  private cursor: string | null = null;
  private syncing = false;
  /** last time the stream or a catch-up fetch moved this replica */
  private lastProgressAt = 0;
  private lastAckAt = 0;
  private ended = false;
  private readonly epoch: number;

  constructor(
    private readonly core: ReplicaCore,
    private readonly election: Election,
  ) {
    this.epoch = core.state.leaderEpoch;
  }

  get streamCursor(): string | null {
    return this.syncing ? null : this.cursor;
  }

  /** Starts with truncation and catch-up. */
  start(): void {
    this.sync(true);
  }

  end(): void {
    this.ended = true;
  }

  advanceCursor(id: string): void {
    if (this.cursor !== null) this.cursor = id;
  }

  /** Runs in the mailbox: applies one stream entry from the leader. */
  apply(entry: ReplicationEntry): void {
    const core = this.core;
    if (this.ended || this.syncing || core.closed) return;
    if (entry.leaderEpoch < core.state.leaderEpoch) return; // from a deposed leader
    if (entry.leaderEpoch > core.state.leaderEpoch) {
      core.ctx.reloadMetadata(); // a newer epoch exists; the role change will resync
      return;
    }
    if (entry.baseOffset > core.log.logEndOffset) {
      this.sync(false); // missed entries (the window moved on, or Redis lost them)
      return;
    }
    if (entry.baseOffset === core.log.logEndOffset && entry.data.length > 0) core.log.appendAsFollower(entry.data);
    this.lastProgressAt = core.clock.now();
    core.followHighWatermark(entry.highWatermark);
    if (entry.logStartOffset !== undefined) core.followLogStart(entry.logStartOffset);
    this.ack(entry.leaderEpoch);
  }

  tick(now: number): void {
    const core = this.core;
    // A stream entry lost to a Redis restart is only noticed when a later one arrives; if
    // none comes (producers blocked on this very replica), fetch from the leader directly.
    if (!this.syncing && now - this.lastProgressAt > core.ctx.replicaLagTimeMaxMs / 3) this.sync(false);
    // An idle follower still tells its leader it is caught up, often enough to stay in the ISR.
    if (!this.syncing && now - this.lastAckAt > core.ctx.replicaLagTimeMaxMs / 4) this.ack(core.state.leaderEpoch);
    if (core.state.isr.includes(core.me)) void this.election.maybeClaim();
  }

  private isCurrent(): boolean {
    return !this.ended && !this.core.closed && this.core.state.leaderEpoch === this.epoch;
  }

  private ack(leaderEpoch: number): void {
    const core = this.core;
    this.lastAckAt = core.clock.now();
    core.ctx.reportAck({
      topic: core.topic,
      partition: core.partition,
      leaderId: core.state.leader,
      leaderEpoch,
      logEndOffset: core.log.logEndOffset,
      brokerEpoch: core.ctx.brokerEpoch(),
    });
  }

  /** Leaves the stream, truncates if the epoch is new, catches up from the leader, and rejoins the stream. */
  private sync(truncate: boolean): void {
    if (this.syncing) return;
    this.syncing = true;
    this.cursor = null;
    new ReplicaFetcher(this.core, this.epoch, () => this.isCurrent()).run(truncate).then(
      (cursor) => {
        if (!this.isCurrent()) return;
        this.ack(this.epoch);
        this.cursor = cursor;
        this.lastProgressAt = this.core.clock.now();
        this.syncing = false;
      },
      (err: unknown) => {
        if (!this.isCurrent()) return;
        // Leader unreachable or busy: retry shortly, still outside the stream.
        this.core.logger.debug('catch-up failed, retrying', {
          epoch: this.epoch,
          leader: this.core.state.leader,
          reason: err instanceof Error ? err.message : String(err),
        });
        setTimeout(() => {
          if (!this.isCurrent()) return;
          this.syncing = false;
          this.sync(truncate);
        }, RETRY_SYNC_MS).unref();
      },
    );
  }
}
