import { Buffer } from 'buffer';
import { toTimestamp, type Timestamp } from '@tributary/protocol';
import { IndexFile } from './index-file';

const ENTRY_SIZE = 12;
const INITIAL_CAPACITY = 64;

/**
 * Kafka's .timeindex: 12-byte big-endian entries (int64 timestamp, int32 relative offset), each
 * saying "up to this offset, the largest timestamp in the segment is this". Timestamps only
 * grow from entry to entry, so a binary search finds where to start looking for a time; the
 * last entry is the segment's largest timestamp once the segment is closed.
 *
 * Timestamps are kept as int64 (a BigInt64Array), exactly as the file holds them: a Float64Array
 * rounded 2^63-1 up to 2^63, which then could not be written back. Entries are sparse (one
 * per index interval), so the BigInt conversion on append and lookup costs nothing measurable.
 */
export class TimeIndex {
  private ts = new BigInt64Array(INITIAL_CAPACITY);
  private rel = new Int32Array(INITIAL_CAPACITY);
  private count = 0;
  private readonly file: IndexFile;

  constructor(
    path: string,
    readonly baseOffset: number,
  ) {
    this.file = new IndexFile(path, ENTRY_SIZE);
  }

  get entries(): number {
    return this.count;
  }

  /** -1 when empty, matching Kafka's NO_TIMESTAMP */
  lastTimestamp(): Timestamp {
    return this.count === 0 ? -1 : toTimestamp(this.ts[this.count - 1]);
  }

  /** Absolute offset of the last entry, or -1 when empty. */
  lastOffset(): number {
    return this.count === 0 ? -1 : this.baseOffset + this.rel[this.count - 1];
  }

  /** Appends only when the timestamp moves forward, which keeps entries sorted for the search. */
  maybeAppend(timestamp: Timestamp, offset: number): void {
    if (this.count > 0 && timestamp <= this.ts[this.count - 1]) return;
    if (this.count === this.ts.length) this.grow();
    this.ts[this.count] = BigInt(timestamp);
    this.rel[this.count] = offset - this.baseOffset;
    this.count++;
  }

  /** Absolute offset of the last entry whose timestamp is <= `timestamp`, or -1 when none is. */
  lookup(timestamp: Timestamp): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid] <= timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1 : this.baseOffset + this.rel[found];
  }

  truncateFrom(offset: number): void {
    const target = offset - this.baseOffset;
    let n = this.count;
    while (n > 0 && this.rel[n - 1] >= target) n--;
    this.count = n;
    this.file.truncatedTo(n);
  }

  clear(): void {
    this.count = 0;
    this.file.truncatedTo(0);
  }

  release(): void {
    this.ts = new BigInt64Array(0);
    this.rel = new Int32Array(0);
    this.count = 0;
  }

  /** The last entry on disk (timestamp, absolute offset), read without loading the file; null when unusable. */
  readLastEntry(): { timestamp: Timestamp; offset: number } | null {
    const last = this.file.readLast();
    if (last === null) return null;
    return { timestamp: toTimestamp(last.readBigInt64BE(0)), offset: this.baseOffset + last.readInt32BE(8) };
  }

  /** Loads the file; false when missing or inconsistent with a segment ending before `nextOffset`. */
  load(nextOffset: number): boolean {
    const data = this.file.readAll();
    if (data === null || data.length % ENTRY_SIZE !== 0) return this.reject();
    const n = data.length / ENTRY_SIZE;
    const limit = nextOffset - this.baseOffset;
    this.ts = new BigInt64Array(Math.max(n, INITIAL_CAPACITY));
    this.rel = new Int32Array(Math.max(n, INITIAL_CAPACITY));
    for (let i = 0; i < n; i++) {
      const ts = data.readBigInt64BE(i * ENTRY_SIZE);
      const rel = data.readInt32BE(i * ENTRY_SIZE + 8);
      const ordered = i === 0 ? rel >= 0 : ts > this.ts[i - 1] && rel >= this.rel[i - 1];
      if (!ordered || rel >= limit) return this.reject();
      this.ts[i] = ts;
      this.rel[i] = rel;
    }
    this.count = n;
    return true;
  }

  persist(sync: boolean): void {
    this.file.persist(this.count, (from, to) => this.encode(from, to), sync);
  }

  invalidateFile(): void {
    this.file.invalidate();
  }

  close(): void {
    this.file.close();
  }

  delete(): void {
    this.file.delete();
  }

  private encode(from: number, to: number): Buffer {
    const out = Buffer.allocUnsafe((to - from) * ENTRY_SIZE);
    for (let i = from; i < to; i++) {
      out.writeBigInt64BE(this.ts[i], (i - from) * ENTRY_SIZE);
      out.writeInt32BE(this.rel[i], (i - from) * ENTRY_SIZE + 8);
    }
    return out;
  }

  private reject(): false {
    this.count = 0;
    this.file.invalidate();
    return false;
  }

  private grow(): void {
    const capacity = Math.max(INITIAL_CAPACITY, this.ts.length * 2);
    const ts = new BigInt64Array(capacity);
    const rel = new Int32Array(capacity);
    ts.set(this.ts.subarray(0, this.count));
    rel.set(this.rel.subarray(0, this.count));
    this.ts = ts;
    this.rel = rel;
  }
}
