import { Buffer } from 'buffer';
import { TributaryError } from '@tributary/protocol';
import { readFully } from './file-io';

const EMPTY = Buffer.alloc(0);

/**
 * A read-ahead view of one region of a file. Walking batch headers one pread at a time would
 * cost a syscall per batch; instead the window reads `chunkBytes` at once and serves headers
 * and whole batches out of memory, re-reading only when a request runs past what it holds.
 */
export class FileWindow {
  private buf: Buffer = EMPTY;
  private start = 0;

  constructor(
    private readonly fd: number,
    /** file position the window must never read past (the segment's logical size) */
    private readonly limit: number,
    private readonly chunkBytes: number,
  ) {}

  get buffer(): Buffer {
    return this.buf;
  }

  /**
   * Makes [position, position + length) available and returns where it starts in `buffer`,
   * or -1 when the file (up to `limit`) ends before that.
   */
  ensure(position: number, length: number): number {
    if (position + length > this.limit) return -1;
    if (position >= this.start && position + length <= this.start + this.buf.length) return position - this.start;
    const size = Math.min(this.limit - position, Math.max(length, this.chunkBytes));
    const buf = Buffer.allocUnsafe(size);
    const got = readFully(this.fd, buf, 0, size, position);
    this.buf = got === size ? buf : buf.subarray(0, got);
    this.start = position;
    return got >= length ? 0 : -1;
  }

  /**
   * The bytes [position, position + length) for a caller to keep. Shares memory with the window
   * when it is mostly used, so the common fetch costs one read and no copy; copies a small slice
   * out of a large window so the caller does not pin the whole read-ahead.
   */
  take(position: number, length: number): Buffer {
    const at = this.ensure(position, length);
    if (at < 0) throw TributaryError.of('KAFKA_STORAGE_ERROR', `segment file ended before byte ${position + length}`);
    const view = this.buf.subarray(at, at + length);
    return length * 2 >= this.buf.length ? view : Buffer.from(view);
  }
}
