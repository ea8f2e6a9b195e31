import { Buffer } from 'buffer';
import { IndexFile } from './index-file';

const ENTRY_SIZE = 8;
const INITIAL_CAPACITY = 64;

/**
 * Kafka's .index: a sparse map from a batch's last offset to the file position where that batch
 * starts, as 8-byte big-endian entries (int32 offset relative to the segment base, int32
 * position). Entries live in typed arrays so a lookup is a binary search with no I/O.
 */
export class OffsetIndex {
  private rel = new Int32Array(INITIAL_CAPACITY);
  private pos = new Int32Array(INITIAL_CAPACITY);
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

  /** Position of the last entry's batch, or 0 when there is none (the segment start). */
  lastPosition(): number {
    return this.count === 0 ? 0 : this.pos[this.count - 1];
  }

  append(offset: number, position: number): void {
    if (this.count === this.rel.length) this.grow();
    this.rel[this.count] = offset - this.baseOffset;
    this.pos[this.count] = position;
    this.count++;
  }

  /**
   * Where to start scanning for the batch holding `offset`: the start of the batch whose last
   * offset is the largest indexed one <= `offset`. That batch either holds `offset` or lies
   * before it, so a forward scan from there cannot miss it.
   */
  lookup(offset: number): number {
    const target = offset - this.baseOffset;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel[mid] <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? 0 : this.pos[found];
  }

  /** Drops every entry for offsets >= `offset` (their batches were truncated away). */
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

  /** Frees the arrays of a closed segment nobody is reading; `load` brings them back. */
  release(): void {
    this.rel = new Int32Array(0);
    this.pos = new Int32Array(0);
    this.count = 0;
  }

  /**
   * Loads the file. Returns false when it is missing or inconsistent with a segment of
   * `segmentSize` bytes, in which case the caller rebuilds it from the log.
   */
  load(segmentSize: number): boolean {
    const data = this.file.readAll();
    if (data === null || data.length % ENTRY_SIZE !== 0) return this.reject();
    const n = data.length / ENTRY_SIZE;
    this.rel = new Int32Array(Math.max(n, INITIAL_CAPACITY));
    this.pos = new Int32Array(Math.max(n, INITIAL_CAPACITY));
    for (let i = 0; i < n; i++) {
      const rel = data.readInt32BE(i * ENTRY_SIZE);
      const pos = data.readInt32BE(i * ENTRY_SIZE + 4);
      const ordered = i === 0 ? rel >= 0 && pos >= 0 : rel > this.rel[i - 1] && pos > this.pos[i - 1];
      if (!ordered || pos >= segmentSize) return this.reject();
      this.rel[i] = rel;
      this.pos[i] = pos;
    }
    this.count = n;
    return true;
  }

  persist(sync: boolean): void {
    this.file.persist(this.count, (from, to) => this.encode(from, to), sync);
  }

  /** After a rebuild the file no longer matches memory at all; rewrite it whole next time. */
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
      out.writeInt32BE(this.rel[i], (i - from) * ENTRY_SIZE);
      out.writeInt32BE(this.pos[i], (i - from) * ENTRY_SIZE + 4);
    }
    return out;
  }

  private reject(): false {
    this.count = 0;
    this.file.invalidate();
    return false;
  }

  private grow(): void {
    const capacity = Math.max(INITIAL_CAPACITY, this.rel.length * 2);
    const rel = new Int32Array(capacity);
    const pos = new Int32Array(capacity);
    rel.set(this.rel.subarray(0, this.count));
    pos.set(this.pos.subarray(0, this.count));
    this.rel = rel;
    this.pos = pos;
  }
}
