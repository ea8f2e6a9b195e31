import type { Buffer } from 'buffer';
import { TributaryError, applyTimestampType, timestampRule, validateRecordBatches, type Acks, type TopicConfig } from '@tributary/protocol';
import { reasonOf } from '../logging/broker-logger';
import type { Election } from './election';
import { LeaderState } from './leader-state';
import type { ReplicaCore } from './replica-core';

export interface LeaderAppend {
  baseOffset: number;
  lastOffset: number;
}

/**
 * The leader of one epoch: appends and publishes produce requests, moves the high watermark to
 * the smallest log end in the ISR, settles acks=all requests, and shrinks and expands the ISR
 * through Redis's compare-and-set. Made fresh for every epoch and ended when the epoch does,
 * so nothing from a previous epoch can advance this one.
 */
export class LeaderRole {
  private readonly tracker: LeaderState;
  private isrChanging = false;
  /** the ISR being written to Redis, counted for the high watermark until the write settles */
  private isrInFlight: number[] | null = null;
  private ended = false;

  constructor(
    private readonly core: ReplicaCore,
    private readonly election: Election,
  ) {
    this.tracker = new LeaderState(
      core.state.replicas.filter((r) => r !== core.me),
      core.clock.now(),
    );
  }

  /** A reassignment changed the replica set within this epoch: track the new followers, forget the removed. */
  replicasChanged(): void {
    const core = this.core;
    this.tracker.setFollowers(
      core.state.replicas.filter((r) => r !== core.me),
      core.clock.now(),
    );
  }

  /** The epoch is over for this broker: waiting requests fail with `err`. */
  end(err: TributaryError): void {
    this.ended = true;
    this.tracker.failAll(err);
  }

  /** A lapsed lease means another broker may be elected any moment: waiting requests fail now, not at their timeout. */
  failPending(err: TributaryError): void {
    this.tracker.failAll(err);
  }

  /** Runs in the mailbox: validates and appends one produce request's batches. */
  append(batches: Buffer, acks: Acks): LeaderAppend {
    const core = this.core;
    if (!this.election.confirmed()) throw core.notLeader('its leadership lease is not confirmed');
    const c: TopicConfig = core.config;
    const minIsr = c['min.insync.replicas'];
    // Kafka checks min.insync.replicas before appending, so a refused acks=all write is not in the log.
    if (acks === -1 && core.state.isr.length < minIsr) {
      throw TributaryError.of('NOT_ENOUGH_REPLICAS', `${core.name} has ${core.state.isr.length} in-sync replica(s), min.insync.replicas is ${minIsr}`);
    }
    const rule = timestampRule(c['message.timestamp.type'], c['message.timestamp.before.max.ms'], c['message.timestamp.after.max.ms'], Date.now());
    const headers = validateRecordBatches(batches, c['max.message.bytes'], rule);
    // Stamped (LogAppendTime) or cleared (CreateTime) before the bytes reach the log and the stream.
    applyTimestampType(batches, headers, rule);
    const result = core.log.appendAsLeader(batches, headers, core.state.leaderEpoch);
    // An idempotent producer's retry of batches already in the log: nothing new to publish;
    // the caller still waits for their commit before answering with the original offsets.
    if (result.duplicate) return { baseOffset: result.baseOffset, lastOffset: result.lastOffset };
    if (core.state.replicas.length > 1) {
      // A batch missing from the stream leaves a gap its followers detect; they catch up by fetching.
      core.ctx.streams
        .append(core.topic, core.partition, core.state.leaderEpoch, result.baseOffset, core.highWatermark, batches, core.log.logStartOffset)
        .catch((err: unknown) =>
          core.logger.debug('replication stream append failed', { epoch: core.state.leaderEpoch, baseOffset: result.baseOffset, reason: reasonOf(err) }),
        );
    }
    core.ctx.counters?.appended(core.topic, result.lastOffset - result.baseOffset + 1, batches.length);
    this.tracker.appended(core.clock.now());
    // the log end moved: parked replica fetches read to it; consumers wait for the high watermark
    if (!this.advanceHighWatermark()) core.notifyAppend(false);
    return { baseOffset: result.baseOffset, lastOffset: result.lastOffset };
  }

  /** Resolves once the high watermark passes `lastOffset`; fails when the epoch or lease ends first. */
  waitForCommit(lastOffset: number, timeoutMs: number): Promise<void> {
    if (this.ended) return Promise.reject(this.core.notLeader('leadership moved during the append'));
    return this.tracker.waitFor(lastOffset + 1, timeoutMs);
  }

  /** Returns whether the high watermark moved (its listeners were told). */
  advanceHighWatermark(): boolean {
    if (this.ended) return false;
    const core = this.core;
    // While an ISR change is in flight the larger of the two sets counts: Redis may already
    // hold the new ISR, and any member of it may be the next leader.
    const isr = this.isrInFlight ? [...new Set([...core.state.isr, ...this.isrInFlight])] : core.state.isr;
    const candidate = this.tracker.highWatermark(isr, core.me, core.log.logEndOffset);
    const moved = candidate > core.highWatermark;
    if (moved) {
      core.highWatermark = candidate;
      core.notifyAppend(true);
    }
    this.tracker.settle(core.highWatermark, () => {
      if (this.ended || this.election.windowClosed()) return core.notLeader('its lease lapsed before the write was committed');
      const minIsr = core.config['min.insync.replicas'];
      if (core.state.isr.length < minIsr) {
        return TributaryError.of(
          'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
          `${core.name} was written, but its ISR shrank to ${core.state.isr.length} (min.insync.replicas ${minIsr})`,
        );
      }
      return null;
    });
    return moved;
  }

  /**
   * A follower's log end, from the ack stream or from its catch-up fetch. Ignored when it comes
   * from an older incarnation of that broker than the registry or an earlier report shows.
   */
  onReplicaProgress(replicaId: number, logEndOffset: number, leaderEpoch: number, brokerEpoch: number): void {
    const core = this.core;
    if (this.ended || leaderEpoch !== core.state.leaderEpoch) return;
    if (this.isStaleIncarnation(replicaId, brokerEpoch)) return;
    const seen = this.tracker.record(replicaId, logEndOffset, core.log.logEndOffset, core.clock.now(), brokerEpoch);
    if (seen === 'stale') return;
    // A restarted member may have lost what its previous incarnation acknowledged: it leaves
    // the ISR until it has caught up again, so it cannot become leader without those records.
    if (seen === 'reborn' && core.state.isr.includes(replicaId) && logEndOffset < core.highWatermark) {
      void this.changeIsr(core.state.isr.filter((id) => id !== replicaId));
      return;
    }
    const rejoin = this.tracker.caughtUp(core.state.isr, core.highWatermark);
    if (rejoin.length > 0) void this.changeIsr([...core.state.isr, ...rejoin].sort((a, b) => a - b));
    this.advanceHighWatermark();
  }

  /** Each follower's lag behind this leader's log end, in records (-1 before it reported this epoch). */
  followerLags(): Map<number, number> {
    const end = this.core.log.logEndOffset;
    const lags = new Map<number, number>();
    for (const [id, leo] of this.tracker.followerLogEnds()) lags.set(id, leo < 0 ? -1 : Math.max(0, end - leo));
    return lags;
  }

  /** True when `brokerEpoch` is older than the replica's current one (from the registry, or from its own later reports). */
  isStaleIncarnation(replicaId: number, brokerEpoch: number): boolean {
    const registered = this.core.ctx.replicaBrokerEpoch(replicaId);
    if (registered !== undefined && brokerEpoch < registered) return true;
    return brokerEpoch < this.tracker.brokerEpochOf(replicaId);
  }

  /**
   * The leader's tick, after the election's: fails waiting requests once the lease lapsed, and
   * takes out of the ISR followers that stopped catching up, those that hold data back and went
   * silent (dead or cut off: a lease-scale rule), and at once those whose broker left the registry.
   */
  tick(now: number): void {
    const core = this.core;
    if (this.election.lapsed(now)) this.failPending(core.notLeader('its leadership lease lapsed (Redis did not confirm a renewal in time)'));
    const lagging = [
      ...this.tracker.lagging(core.state.isr, core.me, now, core.ctx.replicaLagTimeMaxMs),
      ...this.tracker.stalled(core.state.isr, core.me, core.log.logEndOffset, now, core.ctx.replicaStallTimeoutMs),
      ...core.state.isr.filter((id) => id !== core.me && !core.ctx.brokerUrl(id)),
    ];
    if (lagging.length > 0) void this.changeIsr(core.state.isr.filter((id) => !lagging.includes(id)));
  }

  private async changeIsr(isr: number[]): Promise<void> {
    if (this.isrChanging || this.ended) return;
    const core = this.core;
    this.isrChanging = true;
    this.isrInFlight = isr;
    const epoch = core.state.leaderEpoch;
    try {
      const outcome = await core.ctx.store.updateIsr(core.topic, core.partition, core.incarnation, epoch, isr);
      if (outcome === 'updated') {
        const before = core.state.isr;
        const change = isr.length < before.length ? 'ISR shrank' : 'ISR expanded';
        core.logger.info(change, { epoch, isr, previousIsr: before, highWatermark: core.highWatermark, logEndOffset: core.log.logEndOffset });
        core.ctx.counters?.isrChanged(isr.length < before.length ? 'shrink' : 'expand');
      }
      if (outcome === 'updated' && core.state.leaderEpoch === epoch) {
        core.state = { ...core.state, isr };
        this.advanceHighWatermark();
      }
      if (outcome !== 'updated') core.ctx.reloadMetadata();
    } catch {
      // Ambiguous: the script may have committed with only its reply lost. Until Redis says
      // which ISR it holds, the union (isrInFlight) keeps counting for the high watermark.
      await this.readBackIsr(epoch);
    } finally {
      this.isrChanging = false;
      this.isrInFlight = null;
    }
  }

  /**
   * After an ISR write whose outcome is unknown: reads the partition state back (retrying
   * while Redis is unreachable) and adopts Redis's ISR for this epoch, whatever it is. A
   * leader must never count a smaller ISR than Redis holds: any member there may be elected.
   */
  private async readBackIsr(epoch: number): Promise<void> {
    const core = this.core;
    for (let attempt = 0; !core.closed && !this.ended && core.state.leaderEpoch === epoch; attempt++) {
      try {
        const stored = await core.ctx.store.partitionState(core.topic, core.partition);
        if (!stored || stored.leaderEpoch !== epoch || stored.leader !== core.me) {
          // deposed meanwhile: metadata will turn this replica into a follower
          core.ctx.reloadMetadata();
          return;
        }
        core.state = { ...core.state, isr: stored.isr };
        this.advanceHighWatermark();
        return;
      } catch {
        // Redis unreachable: keep asking (backing off); the union keeps counting meanwhile.
        await new Promise((r) => setTimeout(r, Math.min(1000, 100 * (attempt + 1))));
      }
    }
  }
}
