import { Buffer } from 'buffer';
import * as fs from 'fs';
import { BatchLayout, TributaryError, timestampToNumber, type BatchHeader, type Timestamp } from '@tributary/protocol';
import { peekBatch, type BatchSummary } from './batch-summary';
import { readFully, unlinkIfExists, writeFully } from './file-io';
import { FileWindow } from './file-window';
import { openSegmentFiles, type FdHolder } from './open-segment-files';
import { OffsetIndex } from './offset-index';
import type { ReadSink } from './read-sink';
import { scanBatches } from './recovery';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, segmentFileName } from './segment-files';
import { TimeIndex } from './time-index';

/** The header fields an append needs per batch; the leader's validated headers already have them. */
export type BatchShape = Pick<BatchHeader, 'lastOffsetDelta' | 'maxTimestamp' | 'sizeInBytes'>;

export interface SegmentRead {
  data: Buffer;
  /** true when maxBytes or maxOffsetExclusive ended the read; false when the segment ran out */
  stopped: boolean;
}

export interface RecoveryReport {
  /** bytes cut from the end of the active segment (a torn or corrupt tail) */
  truncatedBytes: number;
  /** why the cut happened there, or null when the segment was whole */
  problem: string | null;
}

const EMPTY = Buffer.alloc(0);
const HEADER = BatchLayout.BATCH_HEADER_SIZE;
/** Caps read-ahead, so a fetch with a huge maxBytes does not allocate a whole segment up front. */
const MAX_READ_AHEAD = 8 * 1024 * 1024;
const TIMESTAMP_SCAN_CHUNK = 64 * 1024;
/** .index stores offsets relative to the base as int32. */
const MAX_RELATIVE_OFFSET = 0x7fffffff;

/**
 * One segment: a .log file of batches back to back plus its sparse .index and .timeindex.
 * The active segment keeps its indexes in memory and writes them out only on flush, roll and
 * close (recovery rebuilds them from the log anyway); closed segments load theirs on demand
 * and may drop them again, so a partition with many segments does not hold every index.
 */
export class LogSegment implements FdHolder {
  readonly logPath: string;
  private fd: number | null = null;
  private _size: number;
  private _nextOffset: number;
  private readonly offsetIndex: OffsetIndex;
  private readonly timeIndex: TimeIndex;
  private indexesLoaded = false;
  private _maxTimestamp: Timestamp = -1;
  private offsetOfMaxTimestamp = -1;
  private bytesSinceLastIndexEntry = 0;
  /** wall-clock time the first batch was appended; segment.ms counts from here */
  private rollStartMs: number | null = null;
  /** bytes written since the last fsync */
  private dirty = false;
  /** asynchronous calls using the descriptor; the open-file pool must not close it under them */
  private fdPins = 0;

  private constructor(
    dir: string,
    readonly baseOffset: number,
    size: number,
    nextOffset: number,
    private readonly indexIntervalBytes: number,
  ) {
    this.logPath = segmentFileName(dir, baseOffset, LOG_SUFFIX);
    this._size = size;
    this._nextOffset = nextOffset;
    this.offsetIndex = new OffsetIndex(segmentFileName(dir, baseOffset, INDEX_SUFFIX), baseOffset);
    this.timeIndex = new TimeIndex(segmentFileName(dir, baseOffset, TIME_INDEX_SUFFIX), baseOffset);
  }

  /** A new, empty active segment; any file of that name is stale and emptied. */
  static create(dir: string, baseOffset: number, indexIntervalBytes: number): LogSegment {
    const segment = new LogSegment(dir, baseOffset, 0, baseOffset, indexIntervalBytes);
    segment.fd = fs.openSync(segment.logPath, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
    openSegmentFiles.opened(segment);
    segment.offsetIndex.clear();
    segment.timeIndex.clear();
    segment.offsetIndex.invalidateFile();
    segment.timeIndex.invalidateFile();
    segment.indexesLoaded = true;
    segment.offsetIndex.persist(false);
    segment.timeIndex.persist(false);
    return segment;
  }

  /**
   * A closed segment, trusted as it was fsynced when it rolled. Reads only the size and the
   * last .timeindex entry (its largest timestamp, needed for retention and time lookups);
   * the indexes themselves load when a read first needs them.
   */
  static openClosed(dir: string, baseOffset: number, nextOffset: number, indexIntervalBytes: number): LogSegment {
    const size = fs.statSync(segmentFileName(dir, baseOffset, LOG_SUFFIX)).size;
    const segment = new LogSegment(dir, baseOffset, size, nextOffset, indexIntervalBytes);
    const last = segment.timeIndex.readLastEntry();
    if (last !== null) {
      // Retention and time lookups trust this entry without loading the index; one no append
      // could have written means the files are not what this broker wrote: refuse the log.
      // (Earlier versions wrote a -1 entry at offset base-1 for segments without timestamps: harmless.)
      if (last.timestamp < -1 || (last.timestamp !== -1 && (last.offset < baseOffset || last.offset >= nextOffset))) {
        throw TributaryError.of(
          'KAFKA_STORAGE_ERROR',
          `corrupt time index ${segmentFileName(dir, baseOffset, TIME_INDEX_SUFFIX)}: last entry (timestamp ${last.timestamp}, offset ${last.offset}) lies outside the segment [${baseOffset}, ${nextOffset})`,
        );
      }
      segment._maxTimestamp = last.timestamp;
    } else if (size > 0) {
      segment.ensureIndexes();
      segment.releaseIndexes();
    }
    return segment;
  }

  /**
   * The active segment after a restart: walks every batch checking length, sequence and CRC,
   * cuts the file at the first bad one (a torn or corrupt tail), and rebuilds both indexes
   * from what survives.
   */
  static recover(dir: string, baseOffset: number, indexIntervalBytes: number, now: number): { segment: LogSegment; report: RecoveryReport } {
    const segment = new LogSegment(dir, baseOffset, 0, baseOffset, indexIntervalBytes);
    const fd = segment.fileFd();
    const fileSize = fs.fstatSync(fd).size;
    segment.resetIndexes();
    const scan = scanBatches(fd, fileSize, 0, baseOffset, true, (b) => segment.indexBatch(b));
    if (scan.validBytes < fileSize) {
      fs.ftruncateSync(fd, scan.validBytes);
      fs.fsyncSync(fd);
    }
    segment._size = scan.validBytes;
    segment._nextOffset = scan.nextOffset;
    segment.offsetIndex.persist(false);
    segment.timeIndex.persist(false);
    segment.rollStartMs = segment.estimateRollStart(now);
    return { segment, report: { truncatedBytes: fileSize - scan.validBytes, problem: scan.problem } };
  }

  get size(): number {
    return this._size;
  }

  /** The offset after this segment's last batch. */
  get nextOffset(): number {
    return this._nextOffset;
  }

  /** Largest batch timestamp in the segment, -1 when it has none. */
  get maxTimestamp(): Timestamp {
    return this._maxTimestamp;
  }

  lastModifiedMs(): number {
    return fs.statSync(this.logPath).mtimeMs;
  }

  shouldRoll(appendBytes: number, lastOffset: number, now: number, segmentBytes: number, segmentMs: number): boolean {
    if (this._size === 0) return false;
    if (this._size + appendBytes > segmentBytes) return true;
    if (this.rollStartMs !== null && now - this.rollStartMs > segmentMs) return true;
    return lastOffset - this.baseOffset > MAX_RELATIVE_OFFSET;
  }

  /**
   * Writes `data` (batches back to back, offsets already in their headers, the first one
   * `firstOffset` = nextOffset) with one write, then indexes it from the headers alone.
   */
  append(data: Buffer, batches: readonly BatchShape[], firstOffset: number, now: number): void {
    writeFully(this.fileFd(), data, this._size);
    this.dirty = true;
    let position = this._size;
    let offset = firstOffset;
    for (const b of batches) {
      const lastOffset = offset + b.lastOffsetDelta;
      this.indexBatch({ position, baseOffset: offset, lastOffset, maxTimestamp: b.maxTimestamp, size: b.sizeInBytes });
      position += b.sizeInBytes;
      offset = lastOffset + 1;
    }
    this._size = position;
    this._nextOffset = offset;
    if (this.rollStartMs === null) this.rollStartMs = now;
  }

  /**
   * Whole batches from the one holding `offset`: at most `maxBytes` (but the first batch even
   * if larger, when `minOneBatch`), none whose last offset reaches `maxOffsetExclusive`.
   */
  read(offset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean, sink?: ReadSink): SegmentRead {
    this.ensureIndexes();
    const from = this.offsetIndex.lookup(offset);
    if (sink) return this.readInto(sink, from, offset, maxBytes, maxOffsetExclusive, minOneBatch);
    const readAhead = Math.min(MAX_READ_AHEAD, Math.max(maxBytes, 0) + this.indexIntervalBytes + 2 * HEADER);
    const window = new FileWindow(this.fileFd(), this._size, readAhead);
    const first = this.locate(window, from, offset);
    if (first === null) return { data: EMPTY, stopped: false };

    let position = first.position;
    let taken = 0;
    let stopped = false;
    while (position < this._size) {
      const batch = this.batchAt(window, position);
      if (batch.lastOffset >= maxOffsetExclusive || (taken + batch.size > maxBytes && !(minOneBatch && taken === 0))) {
        stopped = true;
        break;
      }
      taken += batch.size;
      position += batch.size;
    }
    return { data: taken === 0 ? EMPTY : window.take(first.position, taken), stopped };
  }

  /**
   * read() into `sink`: only the headers between the index entry and the first batch come
   * through a small window; the batches themselves are read once, straight into the sink,
   * and their headers walked there.
   */
  private readInto(sink: ReadSink, from: number, offset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): SegmentRead {
    const first = this.locate(new FileWindow(this.fileFd(), this._size, this.indexIntervalBytes + 2 * HEADER), from, offset);
    if (first === null) return { data: EMPTY, stopped: false };
    if (first.lastOffset >= maxOffsetExclusive || (first.size > Math.max(maxBytes, 0) && !minOneBatch)) return { data: EMPTY, stopped: true };
    const want = Math.min(this._size - first.position, Math.max(maxBytes, first.size));
    const { buf, at } = sink.reserve(want);
    if (readFully(this.fileFd(), buf, at, want, first.position) < want) {
      throw TributaryError.of('KAFKA_STORAGE_ERROR', `segment ${this.logPath} ended before byte ${first.position + want}`);
    }
    let taken = 0;
    let stopped = false;
    while (first.position + taken < this._size) {
      // Past what was read lies only a batch that maxBytes leaves out, unless the read reached the segment's end.
      if (taken + HEADER > want && first.position + want < this._size) {
        stopped = true;
        break;
      }
      const position = first.position + taken;
      const batch = taken + HEADER > want ? null : peekBatch(buf, at + taken, position);
      if (batch === null || batch.size < HEADER || position + batch.size > this._size) {
        throw TributaryError.of('KAFKA_STORAGE_ERROR', `segment ${this.logPath} has no valid batch at byte ${position}`);
      }
      if (batch.lastOffset >= maxOffsetExclusive || taken + batch.size > want || (taken + batch.size > maxBytes && !(minOneBatch && taken === 0))) {
        stopped = true;
        break;
      }
      taken += batch.size;
    }
    sink.commit(taken);
    return { data: taken === 0 ? EMPTY : buf.subarray(at, at + taken), stopped };
  }

  /** The first batch whose maxTimestamp >= `timestamp`, as (its base offset, its maxTimestamp). */
  findByTimestamp(timestamp: Timestamp): { offset: number; timestamp: Timestamp } | null {
    if (this._maxTimestamp < timestamp) return null;
    this.ensureIndexes();
    // Every batch up to the entry's offset has maxTimestamp <= the entry's timestamp <= the
    // target, so the answer cannot lie before the batch holding that offset.
    const entryOffset = this.timeIndex.lookup(timestamp);
    let position = entryOffset < 0 ? 0 : this.offsetIndex.lookup(entryOffset);
    const window = new FileWindow(this.fileFd(), this._size, TIMESTAMP_SCAN_CHUNK);
    while (position < this._size) {
      const batch = this.batchAt(window, position);
      if (batch.maxTimestamp >= timestamp) return { offset: batch.baseOffset, timestamp: batch.maxTimestamp };
      position += batch.size;
    }
    return null;
  }

  /**
   * Cuts the segment before the batch holding `offset` (whole batches only) and returns the
   * new next offset: that batch's base offset, or nextOffset when nothing was cut.
   */
  truncateTo(offset: number, now: number): number {
    if (offset >= this._nextOffset) return this._nextOffset;
    this.ensureIndexes();
    const window = new FileWindow(this.fileFd(), this._size, TIMESTAMP_SCAN_CHUNK);
    const cut = this.locate(window, this.offsetIndex.lookup(offset), offset);
    if (cut === null) return this._nextOffset;

    fs.ftruncateSync(this.fileFd(), cut.position);
    this.dirty = true;
    this._size = cut.position;
    this._nextOffset = cut.baseOffset;
    this.offsetIndex.truncateFrom(cut.baseOffset);
    this.timeIndex.truncateFrom(cut.baseOffset);
    this.recomputeTail();
    this.rollStartMs = this._size === 0 ? null : (this.rollStartMs ?? this.estimateRollStart(now));
    return cut.baseOffset;
  }

  /**
   * Called when the segment stops being active: records its largest timestamp as the last
   * .timeindex entry (what retention and time lookups read later without loading the index)
   * and makes log and indexes durable before a newer segment exists.
   */
  seal(): void {
    if (this.offsetOfMaxTimestamp >= 0) this.timeIndex.maybeAppend(this._maxTimestamp, this.offsetOfMaxTimestamp);
    this.offsetIndex.persist(true);
    this.timeIndex.persist(true);
    // Always: the descriptor may have been closed by the open-file pool since the last write.
    fs.fsyncSync(this.fileFd());
    this.dirty = false;
  }

  /** fsyncs the log if anything was written since the last time. */
  syncLog(): void {
    if (!this.dirty) return;
    fs.fdatasyncSync(this.fileFd());
    this.dirty = false;
  }

  /**
   * flush() with the fdatasync on libuv's thread pool: a periodic flush must not stall the
   * event loop (and every request behind it) while the disk catches up. `done` gets an error
   * only when the sync failed on a file still open.
   */
  flushInBackground(done: (err: Error | null) => void): void {
    if (this.indexesLoaded) {
      this.offsetIndex.persist(false);
      this.timeIndex.persist(false);
    }
    if (!this.dirty) return done(null);
    const fd = this.fileFd();
    this.dirty = false;
    this.fdPins++;
    fs.fdatasync(fd, (err) => {
      this.fdPins--;
      if (!err) return done(null);
      if (this.fd !== fd) return done(null); // closed or rolled meanwhile: seal() synced it
      this.dirty = true;
      done(err);
    });
  }

  /** Brings the index files up to date (no fsync: recovery rebuilds them) and fsyncs the log. */
  flush(): void {
    if (this.indexesLoaded) {
      this.offsetIndex.persist(false);
      this.timeIndex.persist(false);
    }
    this.syncLog();
  }

  /**
   * Loads a closed segment's indexes, rebuilding them from the log (headers only: closed
   * segments were fsynced before anything newer was written) when a file is missing or
   * does not fit the log.
   */
  ensureIndexes(): void {
    if (this.indexesLoaded) return;
    this.indexesLoaded = true;
    if (this.offsetIndex.load(this._size) && this.timeIndex.load(this._nextOffset)) {
      this._maxTimestamp = this.timeIndex.lastTimestamp();
      this.offsetOfMaxTimestamp = this.timeIndex.lastOffset();
      this.bytesSinceLastIndexEntry = this._size - this.offsetIndex.lastPosition();
      return;
    }
    this.resetIndexes();
    scanBatches(this.fileFd(), this._size, 0, this.baseOffset, false, (b) => this.indexBatch(b));
    this.seal();
  }

  /** Drops a closed segment's indexes and file handle; the next read loads them again. */
  releaseIndexes(): void {
    this.offsetIndex.release();
    this.timeIndex.release();
    this.offsetIndex.close();
    this.timeIndex.close();
    this.indexesLoaded = false;
    this.closeFd();
  }

  close(): void {
    this.flush();
    this.offsetIndex.close();
    this.timeIndex.close();
    this.closeFd();
  }

  delete(): void {
    this.closeFd();
    // The .log goes first: index files without their log are cleaned up on open, the reverse
    // would leave a log whose indexes must be rebuilt.
    unlinkIfExists(this.logPath);
    this.offsetIndex.delete();
    this.timeIndex.delete();
  }

  /** Kafka's indexing rule: an entry for a batch once more than indexIntervalBytes went by unindexed. */
  private indexBatch(b: BatchSummary): void {
    if (b.maxTimestamp > this._maxTimestamp) {
      this._maxTimestamp = b.maxTimestamp;
      this.offsetOfMaxTimestamp = b.lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.offsetIndex.append(b.lastOffset, b.position);
      // Batches without timestamps (-1) get no time entry, as in Kafka: there is no offset to point at.
      if (this.offsetOfMaxTimestamp >= 0) this.timeIndex.maybeAppend(this._maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += b.size;
  }

  private resetIndexes(): void {
    this.offsetIndex.clear();
    this.timeIndex.clear();
    this.offsetIndex.invalidateFile();
    this.timeIndex.invalidateFile();
    this.indexesLoaded = true;
    this._maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.bytesSinceLastIndexEntry = 0;
  }

  /**
   * After a truncation: the largest timestamp among the survivors. Batches up to the last
   * .timeindex entry are covered by it; only the ones after it need reading.
   */
  private recomputeTail(): void {
    this._maxTimestamp = this.timeIndex.lastTimestamp();
    this.offsetOfMaxTimestamp = this.timeIndex.lastOffset();
    const lastEntry = this.timeIndex.lastOffset();
    const from = lastEntry < 0 ? 0 : this.offsetIndex.lookup(lastEntry);
    scanBatches(this.fileFd(), this._size, from, null, false, (b) => {
      if (b.maxTimestamp > this._maxTimestamp) {
        this._maxTimestamp = b.maxTimestamp;
        this.offsetOfMaxTimestamp = b.lastOffset;
      }
    });
    this.bytesSinceLastIndexEntry = this._size - this.offsetIndex.lastPosition();
  }

  /** The batch holding `offset`, scanning forward from `position`; null when the segment ends first. */
  private locate(window: FileWindow, position: number, offset: number): BatchSummary | null {
    while (position < this._size) {
      const batch = this.batchAt(window, position);
      if (batch.lastOffset >= offset) return batch;
      position += batch.size;
    }
    return null;
  }

  private batchAt(window: FileWindow, position: number): BatchSummary {
    const at = window.ensure(position, HEADER);
    const batch = at < 0 ? null : peekBatch(window.buffer, at, position);
    if (batch === null || batch.size < HEADER || position + batch.size > this._size) {
      throw TributaryError.of('KAFKA_STORAGE_ERROR', `segment ${this.logPath} has no valid batch at byte ${position}`);
    }
    return batch;
  }

  /**
   * segment.ms counts from the first append, which is not on disk. After a restart the later
   * of the file's creation time (never after the first append) and the first batch's
   * timestamp stands in for it, capped at now: restarts then do not keep postponing the
   * roll, and a wrong guess costs at most one early roll.
   */
  private estimateRollStart(now: number): number | null {
    if (this._size === 0) return null;
    const window = new FileWindow(this.fileFd(), this._size, HEADER);
    const firstTimestamp = timestampToNumber(this.batchAt(window, 0).maxTimestamp);
    const born = fs.fstatSync(this.fileFd()).birthtimeMs; // 0 where the platform cannot tell
    const guess = Math.max(born, firstTimestamp);
    return guess > 0 ? Math.min(now, guess) : now;
  }

  get fdPinned(): boolean {
    return this.fdPins > 0;
  }

  /** The open-file pool reclaims the descriptor; `dirty` stays, so the next flush still syncs. */
  closeIdleFd(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    fs.closeSync(fd);
  }

  private closeFd(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    openSegmentFiles.closed(this);
    fs.closeSync(fd);
  }

  /** The .log descriptor, reopened when the pool closed it; callers use it at once, never across an await. */
  private fileFd(): number {
    if (this.fd === null) {
      this.fd = fs.openSync(this.logPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
      openSegmentFiles.opened(this);
    } else {
      openSegmentFiles.touch(this);
    }
    return this.fd;
  }
}
