import { Buffer } from 'buffer';
import { ErrorCode, TributaryError, type FetchResponse, type ListOffsetsResponse, type OffsetForLeaderEpochResponse } from '@tributary/protocol';
import type { ReplicaCore } from './replica-core';

const CATCH_UP_BYTES = 8 * 1024 * 1024;
const MAX_FETCHES = 100_000;

/**
 * A follower's catch-up from its leader: KIP-101/279 truncation, then fetches until the log
 * reaches the leader's end. The requests run OUTSIDE the partition's mailbox, so a slow or
 * dead leader delays only this replica's catch-up, never the other messages to the partition.
 * Each answer is posted back into the mailbox and applied only if it still fits: the replica
 * still follows the same epoch (`stillCurrent`) and its log still ends where the request
 * started.
 */
export class ReplicaFetcher {
  constructor(
    private readonly core: ReplicaCore,
    private readonly epoch: number,
    private readonly stillCurrent: () => boolean,
  ) {}

  /** Catches up; resolves with the stream position to continue from, rejects when it must be retried. */
  async run(truncate: boolean): Promise<string | null> {
    const core = this.core;
    if (!this.stillCurrent()) return null;
    const url = core.ctx.brokerUrl(core.state.leader);
    if (!url) throw TributaryError.of('LEADER_NOT_AVAILABLE', `leader ${core.state.leader} of ${core.name} is not live`);
    // The stream position is taken before fetching, so whatever the leader appends meanwhile
    // is either in the fetch or after this id.
    const cursor = await core.ctx.streams.lastId(core.topic, core.partition);
    if (truncate) await this.truncateToLeader(url);
    for (let i = 0; i < MAX_FETCHES; i++) {
      this.assertCurrent();
      const fetchOffset = core.log.logEndOffset;
      const throttle = this.throttleBytesPerSec();
      const fetchBytes = throttle > 0 ? Math.max(1, Math.min(CATCH_UP_BYTES, throttle)) : CATCH_UP_BYTES;
      const res = await core.ctx.links.request<FetchResponse>(url, 'fetch', {
        replicaId: core.me,
        replicaEpoch: this.epoch,
        replicaBrokerEpoch: core.ctx.brokerEpoch(),
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: fetchBytes,
        partitions: [{ topic: core.topic, partition: core.partition, fetchOffset, partitionMaxBytes: fetchBytes }],
      });
      const p = this.checkedPartition(res);
      if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        await this.restartAtLeaderLogStart(url);
        continue;
      }
      if (p.errorCode !== ErrorCode.NONE) throw new TributaryError(p.errorCode, p.errorMessage);
      const done = await core.post(() => {
        this.assertCurrent();
        if (core.log.logEndOffset !== fetchOffset) return false; // the log moved meanwhile: fetch again from its end
        if (p.byteLength > 0) core.log.appendAsFollower(Buffer.from(res.records.subarray(0, p.byteLength)));
        core.followHighWatermark(p.highWatermark);
        if (Number.isInteger(p.logStartOffset)) core.followLogStart(p.logStartOffset);
        return p.byteLength === 0 || core.log.logEndOffset >= (p.logEndOffset ?? 0);
      });
      if (done) break;
      // A replica a reassignment adds copies at most the throttle's byte rate, so moving a
      // large partition does not starve the leader's producers and followers (Kafka's
      // leader/follower.replication.throttled.rate).
      if (throttle > 0 && p.byteLength > 0) await new Promise((r) => setTimeout(r, (p.byteLength / throttle) * 1000));
    }
    return cursor;
  }

  /** The catch-up byte rate for this replica: the reassignment throttle while it is being added, else 0 (none). */
  private throttleBytesPerSec(): number {
    const rate = this.core.ctx.reassignmentThrottleBytesPerSec ?? 0;
    return rate > 0 && (this.core.state.addingReplicas ?? []).includes(this.core.me) ? rate : 0;
  }

  /**
   * The leader's answer for this partition, refused (and the catch-up retried) when it is not
   * one: a buggy or mismatched peer must not make this replica append bytes it did not describe.
   */
  private checkedPartition(res: FetchResponse): FetchResponse['partitions'][number] {
    const p = Array.isArray(res.partitions) ? res.partitions[0] : undefined;
    const records = res.records;
    const ok =
      p !== undefined &&
      p.topic === this.core.topic &&
      p.partition === this.core.partition &&
      Number.isInteger(p.byteLength) &&
      p.byteLength >= 0 &&
      records instanceof Uint8Array &&
      p.byteLength <= records.length &&
      Number.isInteger(p.highWatermark);
    if (!ok) throw TributaryError.of('CORRUPT_MESSAGE', `${this.core.name}: the leader's catch-up answer does not describe this partition's records`);
    return p;
  }

  private assertCurrent(): void {
    if (!this.stillCurrent()) throw this.core.notLeader('the epoch changed during catch-up');
  }

  /**
   * KIP-101/KIP-279: drop whatever this log holds past the point where its last epoch ended on
   * the leader. When the leader only knows an older epoch, the log is cut where that epoch ends
   * here too; when it knows none, at the high watermark (everything below it is committed).
   */
  private async truncateToLeader(url: string): Promise<void> {
    const core = this.core;
    const latest = core.log.latestEpoch();
    if (latest < 0) return;
    const r = await core.ctx.links.request<OffsetForLeaderEpochResponse>(url, 'offsetForLeaderEpoch', {
      topic: core.topic,
      partition: core.partition,
      leaderEpoch: latest,
      currentLeaderEpoch: this.epoch,
      replicaId: core.me,
    });
    if (!Number.isInteger(r.leaderEpoch) || !Number.isInteger(r.endOffset)) {
      // skipping the truncation would leave this log diverged: refuse, and ask again
      throw TributaryError.of('CORRUPT_MESSAGE', `${core.name}: the leader's epoch end answer is not a pair of integers`);
    }
    await core.post(() => {
      this.assertCurrent();
      // the answer is about `latest`: if this log's last epoch changed meanwhile, ask again
      if (core.log.latestEpoch() !== latest) throw TributaryError.of('NOT_LEADER_OR_FOLLOWER', `${core.name}: the log's last epoch changed during truncation`);
      let end: number;
      if (r.leaderEpoch < 0 || r.endOffset < 0) end = core.highWatermark;
      else if (r.leaderEpoch === latest) end = r.endOffset;
      else {
        const mine = core.log.endOffsetForEpoch(r.leaderEpoch);
        end = mine.endOffset >= 0 ? Math.min(r.endOffset, mine.endOffset) : r.endOffset;
      }
      if (end < core.log.logEndOffset) {
        const from = core.log.logEndOffset;
        core.log.truncateTo(Math.max(end, core.log.logStartOffset));
        core.logger.warn('log truncated to the leader (KIP-101)', {
          epoch: this.epoch,
          fromOffset: from,
          toOffset: core.log.logEndOffset,
          leaderEpochEnd: r.endOffset,
        });
      }
      core.highWatermark = Math.min(core.highWatermark, core.log.logEndOffset);
    });
  }

  private async restartAtLeaderLogStart(url: string): Promise<void> {
    const core = this.core;
    const r = await core.ctx.links.request<ListOffsetsResponse>(url, 'listOffsets', {
      partitions: [{ topic: core.topic, partition: core.partition, timestamp: -2 }],
    });
    const start = Array.isArray(r.partitions) ? r.partitions[0] : undefined;
    if (start && start.errorCode !== ErrorCode.NONE) throw new TributaryError(start.errorCode, start.errorMessage);
    if (!start || !Number.isInteger(start.offset) || start.offset < 0)
      throw TributaryError.of('CORRUPT_MESSAGE', `${core.name}: the leader's log start answer is not an offset`);
    await core.post(() => {
      this.assertCurrent();
      core.logger.warn("log replaced: restarting at the leader's log start", { epoch: this.epoch, fromOffset: core.log.logEndOffset, toOffset: start.offset });
      core.log.truncateFullyAndStartAt(start.offset);
      core.highWatermark = start.offset;
    });
  }
}
