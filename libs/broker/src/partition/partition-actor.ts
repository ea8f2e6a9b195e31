import { Buffer } from 'buffer';
import type { PartitionState, ReplicationEntry } from '@tributary/coordination';
import type { PartitionLog, ReadSink } from '@tributary/log';
import { TributaryError, timestampToNumber, type Acks, type TopicConfig } from '@tributary/protocol';
import { reasonOf } from '../logging/broker-logger';
import { Election } from './election';
import { FollowerRole } from './follower-role';
import { LeaderRole } from './leader-role';
import type { PartitionContext } from './partition-context';
import { ReplicaCore, type AppendListener } from './replica-core';

export interface ReadResult {
  records: Buffer;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
}

/**
 * One replica of one partition on this broker, as leader or follower of the current epoch: a
 * mailbox and a small state machine over role objects. Writes go through the mailbox one at a
 * time, so offsets are assigned in arrival order with no lock; reads are synchronous against
 * the log.
 *
 * none → leader | follower on the first metadata; every new term (epoch or leader) ends the
 * current role and starts a fresh one. The Election outlives roles: it holds the lease the
 * leader acks under, and lets an in-sync follower claim a lapsed one.
 * Leader (LeaderRole): appends, publishes to the partition's Redis stream, commits at the ISR's
 * smallest log end, acknowledges only while its lease is surely valid.
 * Follower (FollowerRole): truncates (KIP-101), catches up from the leader outside the mailbox
 * (ReplicaFetcher), then applies the stream.
 */
export class PartitionActor {
  private readonly core: ReplicaCore;
  private readonly election: Election;
  private role: LeaderRole | FollowerRole | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    ctx: PartitionContext,
    readonly log: PartitionLog,
    state: PartitionState,
    config: TopicConfig,
  ) {
    this.core = new ReplicaCore(topic, partition, ctx, log, state, config);
    this.election = new Election(this.core);
    this.update(state, config);
  }

  get isLeader(): boolean {
    return this.role instanceof LeaderRole;
  }

  get isFollower(): boolean {
    return this.role instanceof FollowerRole;
  }

  get leaderEpoch(): number {
    return this.core.state.leaderEpoch;
  }

  /** The ISR this leader counts (its own view; Redis's once an ambiguous write was read back). */
  get inSyncReplicas(): readonly number[] {
    return this.core.state.isr;
  }

  /** how many replicas metadata assigns this partition */
  get assignedReplicas(): number {
    return this.core.state.replicas.length;
  }

  /** As leader: each follower's lag in records behind this log's end; empty as follower. */
  followerLags(): Map<number, number> {
    return this.role instanceof LeaderRole ? this.role.followerLags() : new Map<number, number>();
  }

  get committedOffset(): number {
    return this.core.highWatermark;
  }

  get streamCursor(): string | null {
    return this.role instanceof FollowerRole ? this.role.streamCursor : null;
  }

  /** Applies the partition's latest state from metadata: may change role or epoch. */
  update(state: PartitionState, config: TopicConfig): void {
    const core = this.core;
    core.config = config;
    if (state.leaderEpoch < core.state.leaderEpoch) return; // older metadata than we know
    const newTerm = state.leaderEpoch !== core.state.leaderEpoch || state.leader !== core.state.leader;
    if (!newTerm) {
      // Within its own epoch the leader alone changes the ISR, and it applies its changes as
      // they commit; a snapshot read before one of them must not roll it back. A reassignment
      // may change the replica set within the epoch: replicas that left leave this ISR too, and
      // the leader starts tracking the ones that came.
      const replicasChanged = !sameMembers(state.replicas, core.state.replicas);
      core.state = this.role instanceof LeaderRole ? { ...state, isr: core.state.isr.filter((r) => state.replicas.includes(r)) } : state;
      if (this.role instanceof LeaderRole) {
        if (replicasChanged) this.role.replicasChanged();
        this.role.advanceHighWatermark();
      }
      return;
    }
    const previous = core.state;
    core.state = state;
    // Once per new term on every follower; the new leader logged its claim (election.ts).
    if (previous.leaderEpoch >= 0 && state.leader !== core.me) {
      // a new partition's first claim by the leader it was created with is routine
      const routine = previous.leaderEpoch === 0 && previous.leader === state.leader;
      core.logger[routine ? 'debug' : 'info']('leader changed', {
        epoch: state.leaderEpoch,
        leader: state.leader,
        previousLeader: previous.leader,
        previousEpoch: previous.leaderEpoch,
        isr: state.isr,
      });
    }
    if (state.leader === core.me) this.becomeLeader();
    else this.becomeFollower();
  }

  private becomeLeader(): void {
    const core = this.core;
    this.endRole(core.notLeader('a new epoch began'));
    const role = new LeaderRole(core, this.election);
    this.role = role;
    // Leadership from metadata alone (topic creation, or a restart) is not enough: the epoch
    // must be claimed in Redis first, which bumps it, so followers truncate against this log.
    if (!this.election.ownsCurrentEpoch) void this.election.claim();
    else
      void core
        .post(() => core.log.assignEpochStart(core.state.leaderEpoch))
        .catch((err: unknown) => core.logger.warn('epoch start not recorded', { epoch: core.state.leaderEpoch, reason: reasonOf(err) }));
    role.advanceHighWatermark();
  }

  private becomeFollower(): void {
    const core = this.core;
    this.endRole(core.notLeader(`broker ${core.state.leader} leads epoch ${core.state.leaderEpoch} now`));
    this.election.forget();
    core.highWatermark = Math.min(core.highWatermark, core.log.logEndOffset);
    const role = new FollowerRole(core, this.election);
    this.role = role;
    role.start();
  }

  private endRole(err: TributaryError): void {
    if (this.role instanceof LeaderRole) this.role.end(err);
    else this.role?.end();
    this.role = null;
  }

  private leaderRole(): LeaderRole {
    if (!(this.role instanceof LeaderRole)) throw this.core.notLeader(`the leader is broker ${this.core.state.leader}`);
    return this.role;
  }

  /** Validates and appends a produce request's batches; with acks=all, resolves once the ISR has them. */
  async produce(batches: Buffer, acks: Acks, timeoutMs: number): Promise<{ baseOffset: number; logStartOffset: number }> {
    const appended = await this.core.post(() => {
      const role = this.leaderRole();
      return { ...role.append(batches, acks), role };
    });
    if (acks === -1 && this.core.highWatermark <= appended.lastOffset) {
      if (appended.role !== this.role) throw this.core.notLeader('leadership moved during the append');
      await appended.role.waitForCommit(appended.lastOffset, timeoutMs);
    }
    return { baseOffset: appended.baseOffset, logStartOffset: this.log.logStartOffset };
  }

  /** A follower's log end, from the ack stream or from its catch-up fetch (see LeaderRole). */
  onReplicaProgress(replicaId: number, logEndOffset: number, leaderEpoch: number, brokerEpoch: number): void {
    if (this.role instanceof LeaderRole) this.role.onReplicaProgress(replicaId, logEndOffset, leaderEpoch, brokerEpoch);
  }

  /** The broker's periodic tick: lease renewal and claims, lapse, ISR upkeep, follower resync. */
  tick(): void {
    if (this.core.closed) return;
    const now = this.core.clock.now();
    if (this.role instanceof LeaderRole) {
      this.election.maintain(now);
      this.role.tick(now);
    } else if (this.role instanceof FollowerRole) {
      this.role.tick(now);
    }
  }

  advanceCursor(id: string): void {
    if (this.role instanceof FollowerRole) this.role.advanceCursor(id);
  }

  /** Applies one stream entry from the leader, in order, through the mailbox. */
  applyReplicated(entry: ReplicationEntry): Promise<void> {
    return this.core.post(() => {
      if (this.role instanceof FollowerRole) this.role.apply(entry);
    });
  }

  /**
   * Reads committed batches from `offset`, up to maxBytes (at least one whole batch); replicas
   * read to the log end. With a `sink`, the batches go into it (see ReadSink).
   */
  read(offset: number, maxBytes: number, replicaId?: number, replicaEpoch?: number, replicaBrokerEpoch?: number, sink?: ReadSink): ReadResult {
    const role = this.leaderRole();
    const { state, log, name } = this.core;
    // A follower fetches only after truncating for the current epoch; one still in another
    // epoch may hold records this leader never had, and must not count as progress.
    if (replicaId !== undefined && replicaEpoch !== undefined && replicaEpoch !== state.leaderEpoch) {
      const code = replicaEpoch < state.leaderEpoch ? 'FENCED_LEADER_EPOCH' : 'UNKNOWN_LEADER_EPOCH';
      throw TributaryError.of(code, `${name}: replica ${replicaId} fetched in epoch ${replicaEpoch}, the leader is in ${state.leaderEpoch}`);
    }
    // A fetch from an older incarnation of that broker (or one that does not say which it is)
    // must neither read past the high watermark nor count as the replica's progress.
    if (replicaId !== undefined && role.isStaleIncarnation(replicaId, replicaBrokerEpoch ?? -1)) {
      throw TributaryError.of(
        'STALE_BROKER_EPOCH',
        `${name}: replica ${replicaId} fetched with broker epoch ${replicaBrokerEpoch ?? 'none'}, older than its current incarnation`,
      );
    }
    // A leader whose lease lapsed may already be deposed without knowing it (cut off from
    // Redis): consumers go look for the new leader rather than read a frozen log here.
    if (replicaId === undefined && this.election.lapsed()) throw this.core.notLeader('its leadership lease lapsed');
    if (offset < log.logStartOffset || offset > log.logEndOffset) {
      throw TributaryError.of('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside ${name}'s range [${log.logStartOffset}, ${log.logEndOffset}]`);
    }
    if (replicaId !== undefined) role.onReplicaProgress(replicaId, offset, state.leaderEpoch, replicaBrokerEpoch ?? -1);
    const hw = this.core.highWatermark;
    const limit = replicaId !== undefined ? log.logEndOffset : hw;
    const records = offset >= limit || maxBytes <= 0 ? EMPTY : log.read(offset, maxBytes, limit, sink);
    if (replicaId === undefined) this.core.ctx.counters?.served(this.topic, records.length);
    return { records, highWatermark: hw, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset };
  }

  /** Kafka's ListOffsets: -1 latest (the high watermark), -2 earliest, else by timestamp. */
  offsetFor(timestamp: number): { offset: number; timestamp: number } {
    this.leaderRole();
    const hw = this.core.highWatermark;
    if (timestamp === -1) return { offset: hw, timestamp: -1 };
    if (timestamp === -2) return { offset: this.log.logStartOffset, timestamp: -1 };
    const found = this.log.offsetForTimestamp(timestamp);
    if (!found || found.offset >= hw) return { offset: -1, timestamp: -1 };
    return { offset: found.offset, timestamp: timestampToNumber(found.timestamp) };
  }

  /**
   * Kafka's DeleteRecords, on the leader: moves the log start offset to `offset` (-1: the high
   * watermark), deleting whole segments below it, and announces the new start on the
   * replication stream so every follower moves its own. Returns the new log start offset.
   */
  deleteRecords(offset: number): Promise<number> {
    return this.core.post(() => {
      this.leaderRole();
      // a leader that may already be deposed must not cut its log on its own say
      if (this.election.lapsed()) throw this.core.notLeader('its leadership lease lapsed');
      const core = this.core;
      const target = offset === -1 ? core.highWatermark : offset;
      if (target < 0 || target > core.highWatermark) {
        throw TributaryError.of('OFFSET_OUT_OF_RANGE', `${core.name}: cannot delete records below ${offset}: the high watermark is ${core.highWatermark}`);
      }
      core.log.advanceLogStart(target);
      if (core.state.replicas.length > 1) {
        const { leaderEpoch } = core.state;
        core.ctx.streams
          .append(core.topic, core.partition, leaderEpoch, core.log.logEndOffset, core.highWatermark, EMPTY, core.log.logStartOffset)
          // a lost marker is not lost news: every later stream entry and catch-up fetch carries the log start too
          .catch(() => undefined);
      }
      return core.log.logStartOffset;
    });
  }

  /** KIP-101, answered by the leader: where did `epoch` end in this log? */
  endOffsetForEpoch(epoch: number, requesterEpoch: number): { leaderEpoch: number; endOffset: number } {
    this.leaderRole();
    const { state, name } = this.core;
    if (requesterEpoch > state.leaderEpoch)
      throw TributaryError.of('UNKNOWN_LEADER_EPOCH', `${name}: epoch ${requesterEpoch} is newer than ${state.leaderEpoch}`);
    if (requesterEpoch < state.leaderEpoch)
      throw TributaryError.of('FENCED_LEADER_EPOCH', `${name}: epoch ${requesterEpoch} is older than ${state.leaderEpoch}`);
    const r = this.log.endOffsetForEpoch(epoch);
    return { leaderEpoch: r.epoch, endOffset: r.endOffset };
  }

  /** Calls `listener` after every append and high watermark move (see AppendListener); returns the unsubscribe function. */
  onAppend(listener: AppendListener): () => void {
    return this.core.onAppend(listener);
  }

  applyRetention(now: number): number {
    return this.log.applyRetention(now);
  }

  close(): Promise<void> {
    const core = this.core;
    core.closed = true;
    if (this.role instanceof LeaderRole) this.role.failPending(core.notLeader('the broker is shutting down'));
    return core.post(() => {
      core.clearListeners();
      this.log.close();
    });
  }
}

const EMPTY = Buffer.alloc(0);

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}
