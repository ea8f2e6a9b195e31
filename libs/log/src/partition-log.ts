import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import {
  BatchLayout,
  TributaryError,
  assignBatchOffsets,
  lastSequenceOf,
  type ProducerEntry,
  batchCrcMatches,
  readBatchHeader,
  type BatchHeader,
  type Timestamp,
} from '@tributary/protocol';
import { LeaderEpochCache, type EpochEntry } from './epoch-cache';
import { fsyncDir, unlinkIfExists } from './file-io';
import { IndexResidency } from './index-residency';
import { resolveLogConfig, type LogConfig } from './log-config';
import { LogStartCheckpoint } from './log-start-checkpoint';
import { ProducerStateManager } from './producer-state-manager';
import type { ReadSink } from './read-sink';
import { LogSegment, type BatchShape, type RecoveryReport } from './segment';
import { INDEX_SUFFIX, LOG_SUFFIX, STRAY_SUFFIXES, TIME_INDEX_SUFFIX, parseSegmentFileName, segmentFileName } from './segment-files';
import { toStorageError } from './storage-error';

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: Timestamp;
  /** set when every batch was an idempotent producer's retry of one already in the log: nothing was appended, the offsets are the original ones */
  duplicate?: true;
}

const EMPTY = Buffer.alloc(0);
const MIN_BATCH_LENGTH = BatchLayout.BATCH_HEADER_SIZE - BatchLayout.LOG_OVERHEAD;
/** Closed segments whose indexes stay loaded; enough for a few readers catching up at once. */
const RESIDENT_CLOSED_SEGMENTS = 4;
/** bytes read per step when replaying the log into the producer state */
const REPLAY_CHUNK_BYTES = 1 << 20;

/**
 * One replica of a partition on local disk: segments in offset order (the last one active),
 * the leader-epoch cache and the log start offset. Everything is synchronous: appends land in
 * the page cache in call order, and a read sees every append that returned before it.
 */
export class PartitionLog {
  private segments: LogSegment[];
  private _logStartOffset: number;
  private readonly residency = new IndexResidency(RESIDENT_CLOSED_SEGMENTS);
  private flushTimer: NodeJS.Timeout | null = null;
  /** a background fdatasync is on the thread pool */
  private flushing = false;
  private closed = false;
  /** a storage error (background fsync, a write, an unreadable file): what is on disk is unknown, so no more appends */
  private failure: TributaryError | null = null;
  private failureListener: ((err: TributaryError) => void) | null = null;
  private readonly producers: ProducerStateManager;

  private constructor(
    readonly dir: string,
    private config: LogConfig,
    segments: LogSegment[],
    logStartOffset: number,
    private readonly epochs: LeaderEpochCache,
    private readonly startCheckpoint: LogStartCheckpoint,
    /** What open found at the tail of the active segment, for the broker to log. */
    readonly recovery: RecoveryReport,
  ) {
    this.segments = segments;
    this._logStartOffset = logStartOffset;
    this.producers = new ProducerStateManager(dir, config.producerIdExpirationMs);
    if (config.flushIntervalMs > 0) {
      this.flushTimer = setInterval(() => this.backgroundFlush(), config.flushIntervalMs);
      this.flushTimer.unref();
    }
  }

  /** Opens (creating if absent) the directory and recovers the active segment. */
  static open(dir: string, config: Partial<LogConfig> = {}): PartitionLog {
    const cfg = resolveLogConfig(config);
    try {
      return PartitionLog.load(dir, cfg);
    } catch (err) {
      throw toStorageError(err, `cannot open log ${dir}`);
    }
  }

  private static load(dir: string, cfg: LogConfig): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    let bases = PartitionLog.listSegments(dir);
    const startCheckpoint = new LogStartCheckpoint(dir);
    const checkpointed = startCheckpoint.read();
    const epochs = LeaderEpochCache.load(dir);
    const interval = cfg.indexIntervalBytes;

    let segments: LogSegment[];
    let recovery: RecoveryReport = { truncatedBytes: 0, problem: null };
    if (bases.length === 0) {
      segments = [LogSegment.create(dir, Math.max(checkpointed ?? 0, 0), interval)];
      fsyncDir(dir);
    } else {
      // Retention checkpoints the new start before deleting files; finish a deletion a crash interrupted.
      while (checkpointed !== null && bases.length > 1 && bases[1] <= checkpointed) {
        PartitionLog.deleteSegmentFiles(dir, bases[0]);
        bases = bases.slice(1);
      }
      const closed = bases.slice(0, -1).map((base, i) => LogSegment.openClosed(dir, base, bases[i + 1], interval));
      const recovered = LogSegment.recover(dir, bases[bases.length - 1], interval, Date.now());
      segments = [...closed, recovered.segment];
      recovery = recovered.report;
    }

    const first = segments[0].baseOffset;
    const end = segments[segments.length - 1].nextOffset;
    const logStartOffset = Math.min(Math.max(checkpointed ?? first, first), end);
    if (checkpointed !== logStartOffset) startCheckpoint.write(logStartOffset);
    epochs.truncateFromEnd(end);
    epochs.truncateFromStart(logStartOffset);
    const log = new PartitionLog(dir, cfg, segments, logStartOffset, epochs, startCheckpoint, recovery);
    try {
      log.rebuildProducerState();
    } catch (err) {
      // failed first, so close() writes no snapshot of a half-rebuilt state
      log.failure = toStorageError(err, `cannot rebuild the producer state of ${dir}`);
      log.close();
      throw err;
    }
    return log;
  }

  /** Base offsets of the segments in `dir`, ascending; removes leftovers that are not data. */
  private static listSegments(dir: string): number[] {
    const names = fs.readdirSync(dir);
    const logs = new Set<number>();
    for (const name of names) {
      const parsed = parseSegmentFileName(name);
      if (parsed !== null && parsed.suffix === LOG_SUFFIX) logs.add(parsed.baseOffset);
    }
    for (const name of names) {
      const parsed = parseSegmentFileName(name);
      const stray = STRAY_SUFFIXES.some((s) => name.endsWith(s));
      const orphanIndex = parsed !== null && parsed.suffix !== LOG_SUFFIX && !logs.has(parsed.baseOffset);
      if (stray || orphanIndex) unlinkIfExists(path.join(dir, name));
    }
    return [...logs].sort((a, b) => a - b);
  }

  private static deleteSegmentFiles(dir: string, base: number): void {
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) unlinkIfExists(segmentFileName(dir, base, suffix));
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }

  /**
   * Called once, when the log first meets a storage error (in a request or a background task):
   * the owner takes the partition offline instead of letting the error escape anywhere else.
   */
  onFailure(listener: (err: TributaryError) => void): void {
    this.failureListener = listener;
    if (this.failure !== null) listener(this.failure);
  }

  /** The storage error that stopped this log, or null while it is healthy. */
  get failed(): TributaryError | null {
    return this.failure;
  }

  /** The next offset to assign. */
  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get sizeInBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  /**
   * Leader append: stamps each batch's baseOffset (contiguous from the log end) and
   * partitionLeaderEpoch into its header in place (both lie outside the CRC), then writes all
   * of them with one write. `headers` are the batches' validated headers, in order.
   */
  appendAsLeader(batches: Buffer, headers: BatchHeader[], leaderEpoch: number): AppendResult {
    this.checkWritable();
    if (headers.length === 0) throw TributaryError.of('INVALID_RECORD', 'no record batch to append');
    let described = 0;
    for (const h of headers) described += h.sizeInBytes;
    if (described !== batches.length) {
      throw TributaryError.of('CORRUPT_MESSAGE', `the headers describe ${described} bytes of batches, the buffer holds ${batches.length}`);
    }
    if (!Number.isInteger(leaderEpoch) || leaderEpoch < 0) {
      throw TributaryError.of('INVALID_REQUEST', `leader epoch must be a non-negative integer, got ${leaderEpoch}`);
    }
    const latest = this.epochs.latestEpoch();
    if (leaderEpoch < latest) {
      // Appending under an older epoch would rewrite the epoch history followers truncate by.
      throw TributaryError.of('FENCED_LEADER_EPOCH', `leader epoch ${leaderEpoch} is older than ${latest}, the latest in this log`);
    }

    const duplicate = this.checkProducerSequences(headers);
    if (duplicate !== null) return duplicate;

    const baseOffset = this.logEndOffset;
    let offset = baseOffset;
    let position = 0;
    let maxTimestamp: Timestamp = -1;
    for (const h of headers) {
      assignBatchOffsets(batches, position, offset, leaderEpoch);
      offset += h.lastOffsetDelta + 1;
      position += h.sizeInBytes;
      if (h.maxTimestamp > maxTimestamp) maxTimestamp = h.maxTimestamp;
    }
    const lastOffset = offset - 1;
    this.guard('cannot append', () => {
      // The epoch goes first: if the data then fails or the broker dies, reopening drops an
      // entry past the log end; the reverse order could lose the epoch of data on disk.
      if (leaderEpoch > latest) this.epochs.assign(leaderEpoch, baseOffset);
      this.appendToActive(batches, headers, baseOffset, lastOffset);
    });
    let at = baseOffset;
    for (const h of headers) {
      if (h.producerId >= 0) this.producers.state.update({ ...h, baseOffset: at, lastOffset: at + h.lastOffsetDelta }, Date.now());
      at += h.lastOffsetDelta + 1;
    }
    return { baseOffset, lastOffset, maxTimestamp };
  }

  /**
   * KIP-98's leader check, before anything is written: each idempotent batch must be the next
   * in its producer's sequence (batches of one request chain), else it is refused with its
   * code. Returns the original offsets when the request is wholly a retry of batches already
   * in the log (nothing is appended then), null when it is to be appended.
   */
  private checkProducerSequences(headers: BatchHeader[]): AppendResult | null {
    let pending: Map<number, { epoch: number; lastSeq: number }> | null = null;
    let duplicates = 0;
    let first = -1;
    let last = -1;
    for (const h of headers) {
      if (h.producerId < 0) continue;
      const verdict = this.producers.state.check(h, pending?.get(h.producerId));
      if (verdict.kind === 'duplicate') {
        duplicates++;
        if (first < 0) first = verdict.firstOffset;
        last = verdict.lastOffset;
        continue;
      }
      pending ??= new Map();
      pending.set(h.producerId, { epoch: h.producerEpoch, lastSeq: lastSequenceOf(h) });
    }
    if (duplicates === 0) return null;
    if (duplicates !== headers.length) {
      throw TributaryError.of('INVALID_RECORD', 'a produce request mixes retried (duplicate) batches with new ones; send them in separate requests');
    }
    return { baseOffset: first, lastOffset: last, maxTimestamp: -1, duplicate: true };
  }

  /**
   * Follower append: the batches already carry the leader's offsets and epochs. They must
   * start at the log end and follow on without gaps; each is checked (shape and CRC) because
   * it crossed the network since the leader validated it.
   */
  appendAsFollower(batches: Buffer): AppendResult {
    this.checkWritable();
    if (batches.length === 0) throw TributaryError.of('INVALID_RECORD', 'no record batch to append');
    const baseOffset = this.logEndOffset;
    const headers: BatchHeader[] = [];
    let expected = baseOffset;
    let position = 0;
    let maxTimestamp: Timestamp = -1;
    while (position < batches.length) {
      const h = readBatchHeader(batches, position);
      if (h.magic !== BatchLayout.CURRENT_MAGIC || h.batchLength < MIN_BATCH_LENGTH || position + h.sizeInBytes > batches.length || h.lastOffsetDelta < 0) {
        throw TributaryError.of('CORRUPT_MESSAGE', `malformed record batch at byte ${position} of the follower append`);
      }
      if (h.baseOffset !== expected) {
        const where = headers.length === 0 ? 'the log end offset' : `offset ${expected}, right after the previous batch`;
        throw TributaryError.of('OFFSET_OUT_OF_RANGE', `follower append must continue at ${where}: expected base offset ${expected}, got ${h.baseOffset}`);
      }
      if (!batchCrcMatches(batches, position, h)) throw TributaryError.of('CORRUPT_MESSAGE', `record batch at offset ${h.baseOffset} fails its CRC`);
      headers.push(h);
      expected = h.lastOffset + 1;
      position += h.sizeInBytes;
      if (h.maxTimestamp > maxTimestamp) maxTimestamp = h.maxTimestamp;
    }
    const lastOffset = expected - 1;
    this.guard('cannot append', () => {
      for (const h of headers) {
        if (h.partitionLeaderEpoch > this.epochs.latestEpoch()) this.epochs.assign(h.partitionLeaderEpoch, h.baseOffset);
      }
      this.appendToActive(batches, headers, baseOffset, lastOffset);
    });
    // A follower rebuilds the producer state from what it replicates, so it can lead with it.
    const now = Date.now();
    for (const h of headers) if (h.producerId >= 0) this.producers.state.update(h, now);
    return { baseOffset, lastOffset, maxTimestamp };
  }

  /**
   * Whole batches from the one holding `offset`, up to `maxBytes` but at least one batch when
   * there is one (KIP-74), none reaching `maxOffsetExclusive` (the high watermark). With a
   * `sink`, they are read into it, after what it already holds, and the result is a view of it.
   */
  read(offset: number, maxBytes: number, maxOffsetExclusive?: number, sink?: ReadSink): Buffer {
    this.checkOpen();
    if (!Number.isInteger(offset) || offset < this._logStartOffset || offset > this.logEndOffset) {
      throw TributaryError.of('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside the log [${this._logStartOffset}, ${this.logEndOffset}]`);
    }
    if (Number.isNaN(maxBytes) || maxBytes < 0) throw TributaryError.of('INVALID_FETCH_SIZE', `maxBytes must be >= 0, got ${maxBytes}`);
    const limit = Math.min(maxOffsetExclusive ?? this.logEndOffset, this.logEndOffset);
    if (offset >= limit) return EMPTY;

    return this.guard('cannot read', () => {
      const parts: Buffer[] = [];
      const mark = sink?.length ?? 0;
      let remaining = maxBytes;
      const first = this.segmentIndexFor(offset);
      for (let i = first; i < this.segments.length; i++) {
        const segment = this.useSegment(this.segments[i]);
        const from = i === first ? offset : segment.baseOffset;
        const { data, stopped } = segment.read(from, remaining, limit, parts.length === 0, sink);
        if (data.length > 0) parts.push(data);
        remaining -= data.length;
        if (stopped) break;
      }
      if (parts.length === 0) return EMPTY;
      // In a sink the segments' parts lie back to back already (in its latest buffer, should it have grown).
      if (sink) return sink.view(mark);
      return parts.length === 1 ? parts[0] : Buffer.concat(parts);
    });
  }

  /**
   * The first batch whose maxTimestamp >= `timestamp`: its base offset and that maxTimestamp
   * (the log never decodes records, so it answers per batch). Null when every batch is older.
   */
  offsetForTimestamp(timestamp: Timestamp): { offset: number; timestamp: Timestamp } | null {
    this.checkOpen();
    return this.guard('cannot search by timestamp', () => {
      // Segments are in offset order, so the first one reaching the timestamp holds the answer.
      for (const segment of this.segments) {
        if (segment.maxTimestamp < timestamp) continue;
        const found = this.useSegment(segment).findByTimestamp(timestamp);
        if (found !== null) return found;
      }
      return null;
    });
  }

  /**
   * Removes every batch with an offset >= `offset`, whole batches only: when `offset` falls
   * inside a batch, that batch goes too and the log ends at its base offset.
   */
  truncateTo(offset: number): void {
    this.checkWritable();
    if (!Number.isInteger(offset) || offset < 0) throw TributaryError.of('OFFSET_OUT_OF_RANGE', `cannot truncate to offset ${offset}`);
    if (offset >= this.logEndOffset) return;
    if (offset < this.segments[0].baseOffset) {
      this.truncateFullyAndStartAt(offset);
      return;
    }
    this.guard('cannot truncate', () => {
      // Newest first, so a crash midway leaves a shorter log, never one with a hole.
      while (this.active.baseOffset > offset) {
        const gone = this.segments.pop() as LogSegment;
        this.residency.forget(gone);
        gone.delete();
      }
      fsyncDir(this.dir);
      const active = this.active;
      this.residency.forget(active);
      const end = active.truncateTo(offset, Date.now());
      active.syncLog();
      this.epochs.truncateFromEnd(end);
      if (this._logStartOffset > end) this.moveLogStart(end);
      // KIP-101 truncation removed batches the producer state counted: rebuilt from a snapshot at or below the new end.
      this.rebuildProducerState();
    });
  }

  /**
   * Empties the log and restarts it at `offset`, e.g. for a follower whose log lies wholly
   * below the leader's log start offset. Not in the original brief: truncateTo cannot move
   * the log end forward, and a new follower needs exactly that.
   */
  truncateFullyAndStartAt(offset: number): void {
    this.checkWritable();
    if (!Number.isInteger(offset) || offset < 0) throw TributaryError.of('OFFSET_OUT_OF_RANGE', `cannot restart the log at offset ${offset}`);
    this.guard('cannot truncate', () => {
      this.moveLogStart(offset);
      for (const segment of this.segments.reverse()) {
        this.residency.forget(segment);
        segment.delete();
      }
      this.segments = [LogSegment.create(this.dir, offset, this.config.indexIntervalBytes)];
      fsyncDir(this.dir);
      this.epochs.clear();
      this.producers.reset();
    });
  }

  epochEntries(): EpochEntry[] {
    return this.epochs.all();
  }

  /** -1 when the cache is empty */
  latestEpoch(): number {
    return this.epochs.latestEpoch();
  }

  /**
   * A new leader records where its epoch starts before it appends anything (Kafka does the
   * same): a follower asking where an older epoch ended then gets an answer even while the new
   * epoch has no records yet.
   */
  assignEpochStart(epoch: number): void {
    this.checkWritable();
    if (epoch > this.epochs.latestEpoch()) this.epochs.assign(epoch, this.logEndOffset);
  }

  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  /**
   * Deletes whole closed segments, oldest first: while the segment's largest timestamp is
   * older than now - retentionMs, then while the log is larger than retentionBytes. The
   * active segment always stays. Returns how many segments were deleted.
   */
  applyRetention(now: number = Date.now()): number {
    this.checkWritable();
    return this.guard('cannot apply retention', () => {
      const { retentionMs, retentionBytes } = this.config;
      this.producers.expire(now);
      const closedCount = this.segments.length - 1;
      let doomed = 0;
      if (retentionMs >= 0) {
        while (doomed < closedCount && this.segmentTimestamp(this.segments[doomed]) < now - retentionMs) doomed++;
      }
      if (retentionBytes >= 0) {
        let size = this.sizeInBytes;
        for (let i = 0; i < doomed; i++) size -= this.segments[i].size;
        while (doomed < closedCount && size > retentionBytes) size -= this.segments[doomed++].size;
      }
      if (doomed === 0) return 0;
      // The checkpoint moves before any file goes: see LogStartCheckpoint.
      this.moveLogStart(Math.max(this._logStartOffset, this.segments[doomed].baseOffset));
      this.epochs.truncateFromStart(this._logStartOffset);
      this.producers.onLogStartMoved(this._logStartOffset);
      for (const segment of this.segments.splice(0, doomed)) {
        this.residency.forget(segment);
        segment.delete();
      }
      fsyncDir(this.dir);
      return doomed;
    });
  }

  /**
   * Applies a topic config change to the open log (alterConfigs, no restart): segment size and
   * age rule the next roll, retention the next sweep. The flush and index intervals stay.
   */
  updateConfig(changes: Partial<Pick<LogConfig, 'segmentBytes' | 'segmentMs' | 'retentionMs' | 'retentionBytes'>>): void {
    const next = resolveLogConfig({
      ...this.config,
      ...changes,
      flushIntervalMs: this.config.flushIntervalMs,
      indexIntervalBytes: this.config.indexIntervalBytes,
    });
    this.config = next;
  }

  get currentConfig(): Readonly<LogConfig> {
    return this.config;
  }

  /**
   * Moves the log start offset up to `offset` (Kafka's DeleteRecords, or a follower following
   * its leader's log start) and deletes the closed segments wholly below it; the active segment
   * always stays. Reads below the new start answer OFFSET_OUT_OF_RANGE. An offset at or below
   * the current start changes nothing; one past the log end is OFFSET_OUT_OF_RANGE. Returns how
   * many segments were deleted.
   */
  advanceLogStart(offset: number): number {
    this.checkWritable();
    if (!Number.isInteger(offset) || offset < 0 || offset > this.logEndOffset) {
      throw TributaryError.of('OFFSET_OUT_OF_RANGE', `cannot move the log start to ${offset}: the log ends at ${this.logEndOffset}`);
    }
    if (offset <= this._logStartOffset) return 0;
    return this.guard('cannot move the log start', () => {
      let doomed = 0;
      while (doomed < this.segments.length - 1 && this.segments[doomed + 1].baseOffset <= offset) doomed++;
      // The checkpoint moves before any file goes: see LogStartCheckpoint.
      this.moveLogStart(offset);
      this.epochs.truncateFromStart(offset);
      for (const segment of this.segments.splice(0, doomed)) {
        this.residency.forget(segment);
        segment.delete();
      }
      if (doomed > 0) fsyncDir(this.dir);
      return doomed;
    });
  }

  flush(): void {
    this.checkWritable();
    this.guard('cannot flush', () => this.active.flush());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer !== null) clearInterval(this.flushTimer);
    this.flushTimer = null;
    let first: unknown = null;
    if (this.failure === null) {
      // A clean shutdown leaves a snapshot at the log end, so the next open replays nothing.
      try {
        this.producers.snapshot(this.logEndOffset);
      } catch (err) {
        first = err;
      }
    }
    for (const segment of this.segments) {
      try {
        segment.close();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== null) throw toStorageError(first, `cannot close log ${this.dir}`);
  }

  /** Closes and removes the directory. */
  destroy(): void {
    try {
      this.close();
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** What this replica knows of a producer id (tests and diagnostics). */
  producerState(producerId: number): ProducerEntry | undefined {
    return this.producers.state.get(producerId);
  }

  /** How many producer ids this replica tracks. */
  get producerCount(): number {
    return this.producers.state.size;
  }

  /** Producer state from the newest intact snapshot at or below the log end, then the log after it. */
  private rebuildProducerState(): void {
    this.producers.rebuild(this._logStartOffset, this.logEndOffset, (from, to, visit) => this.replay(from, to, visit), Date.now());
  }

  /** Visits the headers of the batches in [from, to), reading the log in chunks. */
  private replay(from: number, to: number, visit: (h: BatchHeader) => void): void {
    let offset = from;
    while (offset < to) {
      const buf = this.read(offset, REPLAY_CHUNK_BYTES, to);
      if (buf.length === 0) return;
      let pos = 0;
      while (pos < buf.length) {
        const h = readBatchHeader(buf, pos);
        if (h.lastOffset >= from) visit(h);
        offset = h.lastOffset + 1;
        pos += h.sizeInBytes;
      }
    }
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  private appendToActive(data: Buffer, batches: readonly BatchShape[], firstOffset: number, lastOffset: number): void {
    const now = Date.now();
    let active = this.active;
    if (active.shouldRoll(data.length, lastOffset, now, this.config.segmentBytes, this.config.segmentMs)) active = this.roll();
    active.append(data, batches, firstOffset, now);
    if (this.config.flushIntervalMs === 0) active.syncLog();
  }

  private roll(): LogSegment {
    const old = this.active;
    old.seal();
    // Kafka's snapshot on roll: an open replays at most the active segment after it.
    this.producers.snapshot(old.nextOffset);
    const next = LogSegment.create(this.dir, old.nextOffset, this.config.indexIntervalBytes);
    fsyncDir(this.dir);
    this.segments.push(next);
    this.residency.use(old);
    return next;
  }

  /** Closed segments load their indexes on demand and may drop them again; the active one never does. */
  private useSegment(segment: LogSegment): LogSegment {
    if (segment !== this.active) this.residency.use(segment);
    return segment;
  }

  /** The segment whose range holds `offset`: the last one with baseOffset <= offset. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Without record timestamps (all -1) the file's modification time is the best age there is, as in Kafka. */
  private segmentTimestamp(segment: LogSegment): Timestamp {
    return segment.maxTimestamp >= 0 ? segment.maxTimestamp : segment.lastModifiedMs();
  }

  private moveLogStart(offset: number): void {
    this.startCheckpoint.write(offset);
    this._logStartOffset = offset;
  }

  private backgroundFlush(): void {
    if (this.closed || this.failure !== null || this.flushing) return;
    this.flushing = true;
    try {
      this.active.flushInBackground((err) => {
        this.flushing = false;
        if (err && !this.closed) this.fail(toStorageError(err, `background flush of ${this.dir} failed`));
      });
    } catch (err) {
      this.flushing = false;
      this.fail(toStorageError(err, `background flush of ${this.dir} failed`));
    }
  }

  private fail(err: TributaryError): void {
    if (this.failure !== null) return;
    this.failure = err;
    try {
      this.failureListener?.(err);
    } catch {
      // the listener's own trouble must not turn a contained failure into a thrown one
    }
  }

  private guard<T>(context: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const storageError = toStorageError(err, `${context} (log ${this.dir})`);
      // Only storage errors stop the log; a coded refusal (e.g. out of range) leaves it healthy.
      if (storageError.type === 'KAFKA_STORAGE_ERROR') this.fail(storageError);
      throw storageError;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw TributaryError.of('KAFKA_STORAGE_ERROR', `log ${this.dir} is closed`);
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.failure !== null) throw this.failure;
  }
}
