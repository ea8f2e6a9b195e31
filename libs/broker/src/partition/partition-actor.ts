import { Buffer } from 'buffer';
import type { BrokerIncarnation, PartitionState, ReplicationEntry } from '@tributary/coordination';
import type { PartitionLog } from '@tributary/log';
import {
  ErrorCode,
  TributaryError,
  applyTimestampType,
  timestampRule,
  timestampToNumber,
  validateRecordBatches,
  type Acks,
  type FetchResponse,
  type ListOffsetsResponse,
  type OffsetForLeaderEpochResponse,
  type TopicConfig,
} from '@tributary/protocol';
import { Mailbox } from '../actor/mailbox';
import { LeaderState } from './leader-state';
import type { PartitionContext } from './partition-context';

export interface ReadResult {
  records: Buffer;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
}

type Role = 'none' | 'leader' | 'follower';

/** Renewals start well before the lease can lapse; acks stop before it does. */
const LEASE_SAFETY = 0.75;
const CATCH_UP_BYTES = 8 * 1024 * 1024;

/**
 * One replica of one partition on this broker, as leader or follower of the current epoch.
 * Writes go through the mailbox one at a time, so offsets are assigned in arrival order with
 * no lock; reads are synchronous against the log.
 *
 * Leader: appends, publishes each append to the partition's Redis stream, and advances the
 * high watermark to the smallest log end in the ISR. It acknowledges only while its lease,
 * renewed in Redis, is surely still valid.
 * Follower: first truncates to where its last epoch ended on the new leader (KIP-101), then
 * catches up by fetching from the leader directly, then applies the stream.
 */
export class PartitionActor {
  private readonly mailbox = new Mailbox();
  private readonly appendListeners = new Set<() => void>();
  private state: PartitionState;
  private role: Role = 'none';
  private highWatermark = 0;
  private leader: LeaderState | null = null;
  /** the epoch whose lease this broker holds, and until when acks are safe */
  private leaseEpoch = -1;
  private leaseValidUntil = 0;
  private renewing = false;
  private claiming = false;
  private isrChanging = false;
  /** the ISR being written to Redis, counted for the high watermark until the write settles */
  private isrInFlight: number[] | null = null;
  private leaseMissingTicks = 0;
  /** follower: stream position, null while catching up outside the stream */
  private cursor: string | null = null;
  private syncing = false;
  /** follower: last time the stream or a catch-up fetch moved this replica */
  private lastProgressAt = 0;
  private lastAckAt = 0;
  private closed = false;
  private readonly createdAt = Date.now();

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly ctx: PartitionContext,
    readonly log: PartitionLog,
    state: PartitionState,
    private config: TopicConfig,
  ) {
    this.state = { ...state, leaderEpoch: -1 };
    this.update(state, config);
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  get isFollower(): boolean {
    return this.role === 'follower';
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  /** The ISR this leader counts (its own view; Redis's once an ambiguous write was read back). */
  get inSyncReplicas(): readonly number[] {
    return this.state.isr;
  }

  get committedOffset(): number {
    return this.highWatermark;
  }

  get streamCursor(): string | null {
    return this.role === 'follower' && !this.syncing ? this.cursor : null;
  }

  private get me(): number {
    return this.ctx.brokerId;
  }

  /** this broker as Redis must see it in claims and ISR changes: id and current broker epoch */
  private get incarnation(): BrokerIncarnation {
    return { id: this.ctx.brokerId, epoch: this.ctx.brokerEpoch() };
  }

  /** Applies the partition's latest state from metadata: may change role or epoch. */
  update(state: PartitionState, config: TopicConfig): void {
    this.config = config;
    if (state.leaderEpoch < this.state.leaderEpoch) return; // older metadata than we know
    const newTerm = state.leaderEpoch !== this.state.leaderEpoch || state.leader !== this.state.leader;
    if (!newTerm) {
      // Within its own epoch the leader alone changes the ISR, and it applies its changes as
      // they commit; a snapshot read before one of them must not roll it back.
      this.state = this.role === 'leader' ? { ...state, isr: this.state.isr } : state;
      this.advanceHighWatermark();
      return;
    }
    this.state = state;
    if (state.leader === this.me) this.becomeLeader();
    else this.becomeFollower();
  }

  private becomeLeader(): void {
    this.leader?.failAll(notLeader(this, 'a new epoch began'));
    this.role = 'leader';
    this.cursor = null;
    this.syncing = false;
    this.leader = new LeaderState(
      this.state.replicas.filter((r) => r !== this.me),
      Date.now(),
    );
    // Leadership from metadata alone (topic creation, or a restart) is not enough: the epoch
    // must be claimed in Redis first, which bumps it, so followers truncate against this log.
    if (this.leaseEpoch !== this.state.leaderEpoch) void this.claim();
    else void this.mailbox.post(() => this.log.assignEpochStart(this.state.leaderEpoch)).catch(() => undefined);
    this.advanceHighWatermark();
  }

  private becomeFollower(): void {
    this.leader?.failAll(notLeader(this, `broker ${this.state.leader} leads epoch ${this.state.leaderEpoch} now`));
    this.leader = null;
    this.role = 'follower';
    this.leaseValidUntil = 0;
    this.leaseEpoch = -1;
    this.cursor = null;
    this.highWatermark = Math.min(this.highWatermark, this.log.logEndOffset);
    this.sync(true);
  }

  // ---- leader: produce ----

  /** Validates and appends a produce request's batches; with acks=all, resolves once the ISR has them. */
  async produce(batches: Buffer, acks: Acks, timeoutMs: number): Promise<{ baseOffset: number; logStartOffset: number }> {
    const appended = await this.mailbox.post(() => {
      this.assertWritableLeader();
      const minIsr = this.config['min.insync.replicas'];
      // Kafka checks min.insync.replicas before appending, so a refused acks=all write is not in the log.
      if (acks === -1 && this.state.isr.length < minIsr) {
        throw TributaryError.of('NOT_ENOUGH_REPLICAS', `${this.name} has ${this.state.isr.length} in-sync replica(s), min.insync.replicas is ${minIsr}`);
      }
      const c = this.config;
      const rule = timestampRule(c['message.timestamp.type'], c['message.timestamp.before.max.ms'], c['message.timestamp.after.max.ms'], Date.now());
      const headers = validateRecordBatches(batches, c['max.message.bytes'], rule);
      // Stamped (LogAppendTime) or cleared (CreateTime) before the bytes reach the log and the stream.
      applyTimestampType(batches, headers, rule);
      const result = this.log.appendAsLeader(batches, headers, this.state.leaderEpoch);
      if (this.state.replicas.length > 1) {
        this.ctx.streams.append(this.topic, this.partition, this.state.leaderEpoch, result.baseOffset, this.highWatermark, batches).catch(() => undefined);
      }
      this.leader?.appended(Date.now());
      this.advanceHighWatermark();
      this.notifyAppend();
      return { ...result, leader: this.leader };
    });
    if (acks === -1 && this.highWatermark <= appended.lastOffset) {
      if (!appended.leader || appended.leader !== this.leader) throw notLeader(this, 'leadership moved during the append');
      await appended.leader.waitFor(appended.lastOffset + 1, timeoutMs);
    }
    return { baseOffset: appended.baseOffset, logStartOffset: this.log.logStartOffset };
  }

  private assertWritableLeader(): void {
    if (this.role !== 'leader') throw notLeader(this, `the leader is broker ${this.state.leader}`);
    if (this.leaseEpoch !== this.state.leaderEpoch || Date.now() >= this.leaseValidUntil) {
      throw notLeader(this, 'its leadership lease is not confirmed');
    }
  }

  private advanceHighWatermark(): void {
    if (this.role !== 'leader' || !this.leader) return;
    // While an ISR change is in flight the larger of the two sets counts: Redis may already
    // hold the new ISR, and any member of it may be the next leader.
    const isr = this.isrInFlight ? [...new Set([...this.state.isr, ...this.isrInFlight])] : this.state.isr;
    const candidate = this.leader.highWatermark(isr, this.me, this.log.logEndOffset);
    if (candidate > this.highWatermark) {
      this.highWatermark = candidate;
      this.notifyAppend();
    }
    this.leader.settle(this.highWatermark, () => {
      if (this.role !== 'leader' || Date.now() >= this.leaseValidUntil) return notLeader(this, 'its lease lapsed before the write was committed');
      const minIsr = this.config['min.insync.replicas'];
      if (this.state.isr.length < minIsr) {
        return TributaryError.of('NOT_ENOUGH_REPLICAS_AFTER_APPEND', `${this.name} was written, but its ISR shrank to ${this.state.isr.length} (min.insync.replicas ${minIsr})`);
      }
      return null;
    });
  }

  /**
   * A follower's log end, from the ack stream or from its catch-up fetch. Ignored when it comes
   * from an older incarnation of that broker than the registry or an earlier report shows.
   */
  onReplicaProgress(replicaId: number, logEndOffset: number, leaderEpoch: number, brokerEpoch: number): void {
    if (this.role !== 'leader' || !this.leader || leaderEpoch !== this.state.leaderEpoch) return;
    if (this.isStaleIncarnation(replicaId, brokerEpoch)) return;
    const seen = this.leader.record(replicaId, logEndOffset, this.log.logEndOffset, Date.now(), brokerEpoch);
    if (seen === 'stale') return;
    // A restarted member may have lost what its previous incarnation acknowledged: it leaves
    // the ISR until it has caught up again, so it cannot become leader without those records.
    if (seen === 'reborn' && this.state.isr.includes(replicaId) && logEndOffset < this.highWatermark) {
      void this.changeIsr(this.state.isr.filter((id) => id !== replicaId));
      return;
    }
    const rejoin = this.leader.caughtUp(this.state.isr, this.highWatermark);
    if (rejoin.length > 0) void this.changeIsr([...this.state.isr, ...rejoin].sort((a, b) => a - b));
    this.advanceHighWatermark();
  }

  /** True when `brokerEpoch` is older than the replica's current one (from the registry, or from its own later reports). */
  private isStaleIncarnation(replicaId: number, brokerEpoch: number): boolean {
    const registered = this.ctx.replicaBrokerEpoch(replicaId);
    if (registered !== undefined && brokerEpoch < registered) return true;
    return this.leader !== null && brokerEpoch < this.leader.brokerEpochOf(replicaId);
  }

  private async changeIsr(isr: number[]): Promise<void> {
    if (this.isrChanging || this.role !== 'leader') return;
    this.isrChanging = true;
    this.isrInFlight = isr;
    const epoch = this.state.leaderEpoch;
    try {
      const outcome = await this.ctx.store.updateIsr(this.topic, this.partition, this.incarnation, epoch, isr);
      if (outcome === 'updated' && this.state.leaderEpoch === epoch) {
        this.state = { ...this.state, isr };
        this.advanceHighWatermark();
      }
      if (outcome !== 'updated') this.ctx.reloadMetadata();
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
    for (let attempt = 0; !this.closed && this.role === 'leader' && this.state.leaderEpoch === epoch; attempt++) {
      try {
        const stored = await this.ctx.store.partitionState(this.topic, this.partition);
        if (!stored || stored.leaderEpoch !== epoch || stored.leader !== this.me) {
          // deposed meanwhile: metadata will turn this replica into a follower
          this.ctx.reloadMetadata();
          return;
        }
        this.state = { ...this.state, isr: stored.isr };
        this.advanceHighWatermark();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(1000, 100 * (attempt + 1))));
      }
    }
  }

  // ---- lease and election, driven by the broker's tick ----

  tick(now: number): void {
    if (this.closed) return;
    if (this.role === 'leader') {
      if (this.leaseEpoch !== this.state.leaderEpoch) void this.claim();
      else if (this.leaseValidUntil - now < this.ctx.leaderLeaseMs * LEASE_SAFETY * 0.6) void this.renew();
      // A lapsed lease means another broker may be elected any moment: waiting acks=all
      // requests can no longer be committed here, so they fail now, not at their timeout.
      if (this.leaseLapsed(now)) {
        this.leader?.failAll(notLeader(this, 'its leadership lease lapsed (Redis did not confirm a renewal in time)'));
      }
      // Out: followers that stopped catching up, those that hold data back and went silent
      // (dead or cut off: a lease-scale rule), and at once those whose broker left the registry.
      const lagging = [
        ...(this.leader?.lagging(this.state.isr, this.me, now, this.ctx.replicaLagTimeMaxMs) ?? []),
        ...(this.leader?.stalled(this.state.isr, this.me, this.log.logEndOffset, now, this.ctx.replicaStallTimeoutMs) ?? []),
        ...this.state.isr.filter((id) => id !== this.me && !this.ctx.brokerUrl(id)),
      ];
      if (lagging.length > 0) void this.changeIsr(this.state.isr.filter((id) => !lagging.includes(id)));
    } else if (this.role === 'follower') {
      // A stream entry lost to a Redis restart is only noticed when a later one arrives; if
      // none comes (producers blocked on this very replica), fetch from the leader directly.
      if (!this.syncing && now - this.lastProgressAt > this.ctx.replicaLagTimeMaxMs / 3) this.sync(false);
      // An idle follower still tells its leader it is caught up, often enough to stay in the ISR.
      if (!this.syncing && now - this.lastAckAt > this.ctx.replicaLagTimeMaxMs / 4) this.ack(this.state.leaderEpoch);
      if (this.state.isr.includes(this.me)) void this.maybeClaim();
    }
  }

  /** this broker held the current epoch's lease, and can no longer be sure it still does */
  private leaseLapsed(now: number): boolean {
    return this.role === 'leader' && this.leaseEpoch === this.state.leaderEpoch && now >= this.leaseValidUntil;
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    const startedAt = Date.now();
    const epoch = this.state.leaderEpoch;
    try {
      const ok = await this.ctx.store.renewLeaderLease(this.topic, this.partition, this.incarnation, epoch, this.ctx.leaderLeaseMs);
      if (ok && this.leaseEpoch === epoch) this.leaseValidUntil = startedAt + this.ctx.leaderLeaseMs * LEASE_SAFETY;
      if (!ok) {
        this.leaseValidUntil = 0;
        this.ctx.reloadMetadata();
      }
    } catch {
      // Redis unreachable: acks stop by themselves when leaseValidUntil passes.
    } finally {
      this.renewing = false;
    }
  }

  /** A follower in the ISR claims once the lease is seen missing (twice, early in the partition's life). */
  private async maybeClaim(): Promise<void> {
    if (this.claiming) return;
    try {
      const held = await this.ctx.store.isLeaderLeaseHeld(this.topic, this.partition);
      this.leaseMissingTicks = held ? 0 : this.leaseMissingTicks + 1;
      // Right after creation every replica looks at a lease nobody took yet: waiting a second
      // tick then lets the named leader claim first. Later, one missing tick is enough.
      const settled = Date.now() - this.createdAt > this.ctx.leaderLeaseMs * 2;
      if (this.leaseMissingTicks >= 2 || (this.leaseMissingTicks >= 1 && (settled || !this.ctx.brokerUrl(this.state.leader)))) await this.claim();
    } catch {
      // Redis unreachable: nobody can claim, try again next tick.
    }
  }

  private async claim(): Promise<void> {
    if (this.claiming) return;
    this.claiming = true;
    const startedAt = Date.now();
    try {
      const r = await this.ctx.store.claimLeadership(
        this.topic,
        this.partition,
        this.incarnation,
        this.ctx.leaderLeaseMs,
        this.config['unclean.leader.election.enable'],
        this.log.latestEpoch(),
      );
      if ('epoch' in r) {
        this.leaseEpoch = r.epoch;
        const epoch = r.epoch;
        await this.mailbox.post(() => this.log.assignEpochStart(epoch));
        this.leaseValidUntil = startedAt + this.ctx.leaderLeaseMs * LEASE_SAFETY;
        this.leaseMissingTicks = 0;
        this.ctx.reloadMetadata();
      }
    } catch {
      // try again next tick
    } finally {
      this.claiming = false;
    }
  }

  // ---- follower ----

  advanceCursor(id: string): void {
    if (this.cursor !== null) this.cursor = id;
  }

  /** Applies one stream entry from the leader, in order, through the mailbox. */
  applyReplicated(entry: ReplicationEntry): Promise<void> {
    return this.mailbox.post(() => {
      if (this.role !== 'follower' || this.syncing || this.closed) return;
      if (entry.leaderEpoch < this.state.leaderEpoch) return; // from a deposed leader
      if (entry.leaderEpoch > this.state.leaderEpoch) {
        this.ctx.reloadMetadata(); // a newer epoch exists; the role change will resync
        return;
      }
      if (entry.baseOffset > this.log.logEndOffset) {
        this.sync(false); // missed entries (the window moved on, or Redis lost them)
        return;
      }
      if (entry.baseOffset === this.log.logEndOffset) this.log.appendAsFollower(entry.data);
      this.lastProgressAt = Date.now();
      this.followHighWatermark(entry.highWatermark);
      this.ack(entry.leaderEpoch);
    });
  }

  private ack(leaderEpoch: number): void {
    this.lastAckAt = Date.now();
    this.ctx.reportAck({
      topic: this.topic,
      partition: this.partition,
      leaderId: this.state.leader,
      leaderEpoch,
      logEndOffset: this.log.logEndOffset,
      brokerEpoch: this.ctx.brokerEpoch(),
    });
  }

  private followHighWatermark(leaderHw: number): void {
    const hw = Math.min(leaderHw, this.log.logEndOffset);
    if (hw > this.highWatermark) this.highWatermark = hw;
  }

  /** Leaves the stream, truncates if the epoch changed, catches up from the leader, and rejoins the stream. */
  private sync(newEpoch: boolean): void {
    if (this.syncing && !newEpoch) return;
    this.syncing = true;
    this.cursor = null;
    const epoch = this.state.leaderEpoch;
    void this.mailbox
      .post(() => this.catchUp(epoch, newEpoch))
      .then(
        (cursor) => {
          if (this.state.leaderEpoch !== epoch || this.role !== 'follower') return;
          this.cursor = cursor;
          this.lastProgressAt = Date.now();
          this.syncing = false;
        },
        () => {
          if (this.state.leaderEpoch !== epoch || this.role !== 'follower' || this.closed) return;
          // Leader unreachable or busy: retry shortly, still outside the stream.
          setTimeout(() => {
            if (this.state.leaderEpoch === epoch && this.role === 'follower' && !this.closed) {
              this.syncing = false;
              this.sync(newEpoch);
            }
          }, 300).unref();
        },
      );
  }

  private async catchUp(epoch: number, truncate: boolean): Promise<string | null> {
    if (this.state.leaderEpoch !== epoch || this.role !== 'follower' || this.closed) return null;
    const url = this.ctx.brokerUrl(this.state.leader);
    if (!url) throw TributaryError.of('LEADER_NOT_AVAILABLE', `leader ${this.state.leader} of ${this.name} is not live`);
    // The stream position is taken before fetching, so whatever the leader appends meanwhile
    // is either in the fetch or after this id.
    const cursor = await this.ctx.streams.lastId(this.topic, this.partition);
    if (truncate) await this.truncateToLeader(url, epoch);
    for (let i = 0; i < 100_000; i++) {
      if (this.state.leaderEpoch !== epoch || this.role !== 'follower' || this.closed) throw notLeader(this, 'the epoch changed during catch-up');
      const res = await this.ctx.links.request<FetchResponse>(url, 'fetch', {
        replicaId: this.me,
        replicaEpoch: epoch,
        replicaBrokerEpoch: this.ctx.brokerEpoch(),
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: CATCH_UP_BYTES,
        partitions: [{ topic: this.topic, partition: this.partition, fetchOffset: this.log.logEndOffset, partitionMaxBytes: CATCH_UP_BYTES }],
      });
      const p = res.partitions[0];
      if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        await this.restartAtLeaderLogStart(url);
        continue;
      }
      if (p.errorCode !== ErrorCode.NONE) throw new TributaryError(p.errorCode, p.errorMessage);
      if (p.byteLength > 0) this.log.appendAsFollower(Buffer.from(res.records.subarray(0, p.byteLength)));
      this.followHighWatermark(p.highWatermark);
      if (p.byteLength === 0 || this.log.logEndOffset >= (p.logEndOffset ?? 0)) break;
    }
    this.ack(epoch);
    return cursor;
  }

  /**
   * KIP-101/KIP-279: drop whatever this log holds past the point where its last epoch ended on
   * the leader. When the leader only knows an older epoch, the log is cut where that epoch ends
   * here too; when it knows none, at the high watermark (everything below it is committed).
   */
  private async truncateToLeader(url: string, epoch: number): Promise<void> {
    const latest = this.log.latestEpoch();
    if (latest < 0) return;
    const r = await this.ctx.links.request<OffsetForLeaderEpochResponse>(url, 'offsetForLeaderEpoch', {
      topic: this.topic,
      partition: this.partition,
      leaderEpoch: latest,
      currentLeaderEpoch: epoch,
      replicaId: this.me,
    });
    let end: number;
    if (r.leaderEpoch < 0 || r.endOffset < 0) end = this.highWatermark;
    else if (r.leaderEpoch === latest) end = r.endOffset;
    else {
      const mine = this.log.endOffsetForEpoch(r.leaderEpoch);
      end = mine.endOffset >= 0 ? Math.min(r.endOffset, mine.endOffset) : r.endOffset;
    }
    if (end < this.log.logEndOffset) this.log.truncateTo(Math.max(end, this.log.logStartOffset));
    this.highWatermark = Math.min(this.highWatermark, this.log.logEndOffset);
  }


  private async restartAtLeaderLogStart(url: string): Promise<void> {
    const r = await this.ctx.links.request<ListOffsetsResponse>(url, 'listOffsets', { partitions: [{ topic: this.topic, partition: this.partition, timestamp: -2 }] });
    const start = r.partitions[0];
    if (start.errorCode !== ErrorCode.NONE) throw new TributaryError(start.errorCode, start.errorMessage);
    this.log.truncateFullyAndStartAt(start.offset);
    this.highWatermark = start.offset;
  }

  // ---- reads (leader) ----

  /** Reads committed batches from `offset`, up to maxBytes (at least one whole batch); replicas read to the log end. */
  read(offset: number, maxBytes: number, replicaId?: number, replicaEpoch?: number, replicaBrokerEpoch?: number): ReadResult {
    if (this.role !== 'leader') throw notLeader(this, `the leader is broker ${this.state.leader}`);
    // A follower fetches only after truncating for the current epoch; one still in another
    // epoch may hold records this leader never had, and must not count as progress.
    if (replicaId !== undefined && replicaEpoch !== undefined && replicaEpoch !== this.state.leaderEpoch) {
      const code = replicaEpoch < this.state.leaderEpoch ? 'FENCED_LEADER_EPOCH' : 'UNKNOWN_LEADER_EPOCH';
      throw TributaryError.of(code, `${this.name}: replica ${replicaId} fetched in epoch ${replicaEpoch}, the leader is in ${this.state.leaderEpoch}`);
    }
    // A fetch from an older incarnation of that broker (or one that does not say which it is)
    // must neither read past the high watermark nor count as the replica's progress.
    if (replicaId !== undefined && this.isStaleIncarnation(replicaId, replicaBrokerEpoch ?? -1)) {
      throw TributaryError.of('STALE_BROKER_EPOCH', `${this.name}: replica ${replicaId} fetched with broker epoch ${replicaBrokerEpoch ?? 'none'}, older than its current incarnation`);
    }
    // A leader whose lease lapsed may already be deposed without knowing it (cut off from
    // Redis): consumers go look for the new leader rather than read a frozen log here.
    if (replicaId === undefined && this.leaseLapsed(Date.now())) throw notLeader(this, 'its leadership lease lapsed');
    if (offset < this.log.logStartOffset || offset > this.log.logEndOffset) {
      throw TributaryError.of('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside ${this.name}'s range [${this.log.logStartOffset}, ${this.log.logEndOffset}]`);
    }
    if (replicaId !== undefined) this.onReplicaProgress(replicaId, offset, this.state.leaderEpoch, replicaBrokerEpoch ?? -1);
    const limit = replicaId !== undefined ? this.log.logEndOffset : this.highWatermark;
    const records = offset >= limit || maxBytes <= 0 ? EMPTY : this.log.read(offset, maxBytes, limit);
    return { records, highWatermark: this.highWatermark, logStartOffset: this.log.logStartOffset, logEndOffset: this.log.logEndOffset };
  }

  /** Kafka's ListOffsets: -1 latest (the high watermark), -2 earliest, else by timestamp. */
  offsetFor(timestamp: number): { offset: number; timestamp: number } {
    if (this.role !== 'leader') throw notLeader(this, `the leader is broker ${this.state.leader}`);
    if (timestamp === -1) return { offset: this.highWatermark, timestamp: -1 };
    if (timestamp === -2) return { offset: this.log.logStartOffset, timestamp: -1 };
    const found = this.log.offsetForTimestamp(timestamp);
    if (!found || found.offset >= this.highWatermark) return { offset: -1, timestamp: -1 };
    return { offset: found.offset, timestamp: timestampToNumber(found.timestamp) };
  }

  /** KIP-101, answered by the leader: where did `epoch` end in this log? */
  endOffsetForEpoch(epoch: number, requesterEpoch: number): { leaderEpoch: number; endOffset: number } {
    if (this.role !== 'leader') throw notLeader(this, `the leader is broker ${this.state.leader}`);
    if (requesterEpoch > this.state.leaderEpoch) throw TributaryError.of('UNKNOWN_LEADER_EPOCH', `${this.name}: epoch ${requesterEpoch} is newer than ${this.state.leaderEpoch}`);
    if (requesterEpoch < this.state.leaderEpoch) throw TributaryError.of('FENCED_LEADER_EPOCH', `${this.name}: epoch ${requesterEpoch} is older than ${this.state.leaderEpoch}`);
    const r = this.log.endOffsetForEpoch(epoch);
    return { leaderEpoch: r.epoch, endOffset: r.endOffset };
  }

  /** Calls `listener` after every append and high watermark move; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  applyRetention(now: number): number {
    return this.log.applyRetention(now);
  }

  close(): Promise<void> {
    this.closed = true;
    this.leader?.failAll(notLeader(this, 'the broker is shutting down'));
    return this.mailbox.post(() => {
      this.appendListeners.clear();
      this.log.close();
    });
  }

  private get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  private notifyAppend(): void {
    for (const l of this.appendListeners) l();
  }
}

function notLeader(actor: PartitionActor, why: string): TributaryError {
  return TributaryError.of('NOT_LEADER_OR_FOLLOWER', `this broker cannot serve ${actor.topic}-${actor.partition} as leader: ${why}`);
}

const EMPTY = Buffer.alloc(0);
