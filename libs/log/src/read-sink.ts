import { Buffer } from 'buffer';

const EMPTY = Buffer.alloc(0);

/**
 * One buffer that several reads fill back to back. A fetch reads every partition's batches
 * straight into it, so its response is one view of the buffer instead of per-partition
 * buffers joined by a second copy (that copy, into freshly allocated memory, was the largest
 * cost of a broker serving a consumer). It grows, copying what it holds, only when a read
 * needs more room than the first one foresaw.
 */
export class ReadSink {
  private buf: Buffer = EMPTY;
  private used = 0;

  constructor(
    /** the most the reads are expected to add up to (a fetch's maxBytes); the buffer is not made larger up front */
    private readonly maxBytes: number,
    /** how many reads will share it: the first one sizes the buffer as if each of them were as large */
    private readonly expectedReads: number,
  ) {}

  /** bytes kept so far */
  get length(): number {
    return this.used;
  }

  /** Room for `n` more bytes after what it holds: a read writes them at `buf[at]`, then commits what it keeps. */
  reserve(n: number): { buf: Buffer; at: number } {
    const needed = this.used + n;
    if (needed > this.buf.length) {
      const foreseen = this.buf.length === 0 ? n * Math.max(1, this.expectedReads) : this.buf.length * 2;
      const next = Buffer.allocUnsafe(Math.max(needed, Math.min(this.maxBytes, foreseen)));
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    return { buf: this.buf, at: this.used };
  }

  /** Keeps `n` bytes written after what it held (within the room last reserved). */
  commit(n: number): void {
    if (n < 0 || this.used + n > this.buf.length) throw new RangeError(`cannot commit ${n} bytes: ${this.buf.length - this.used} reserved`);
    this.used += n;
  }

  /** Drops what was kept after `length` (a read whose batches the caller decided not to send). */
  truncate(length: number): void {
    if (length < 0 || length > this.used) throw new RangeError(`cannot truncate to ${length}: ${this.used} kept`);
    this.used = length;
  }

  /** The kept bytes [from, to), without a copy (a truncate below `to` and a later read overwrite them). */
  view(from = 0, to = this.used): Buffer {
    if (from < 0 || to > this.used || from > to) throw new RangeError(`[${from}, ${to}) is outside the ${this.used} bytes kept`);
    return this.buf.subarray(from, to);
  }
}
