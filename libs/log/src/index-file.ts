import { Buffer } from 'buffer';
import * as fs from 'fs';
import { unlinkIfExists, writeFully } from './file-io';

/**
 * The on-disk side of a sparse index: fixed-size entries appended at the end. The in-memory
 * arrays are the truth while a segment is active; this file only has to catch up when the
 * segment is flushed, rolled or closed, because recovery rebuilds the active segment's
 * indexes from the log anyway. `persisted` counts the leading entries the file already
 * holds exactly as memory does, so catching up is one write of the tail.
 */
export class IndexFile {
  private fd: number | null = null;
  private persisted = 0;
  /** entries physically in the file; -1 when unknown (then the next write trims it first) */
  private fileEntries = -1;
  /** written since the last fsync (a seal must sync them; an unchanged file needs no sync) */
  private unsynced = false;

  constructor(
    readonly path: string,
    private readonly entrySize: number,
  ) {}

  /** The whole file, or null when it does not exist. Marks every entry in it as persisted. */
  readAll(): Buffer | null {
    let data: Buffer;
    try {
      data = fs.readFileSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    this.fileEntries = Math.floor(data.length / this.entrySize);
    this.persisted = data.length % this.entrySize === 0 ? this.fileEntries : 0;
    return data;
  }

  /** The last `entrySize` bytes, without reading the rest; null when absent or not whole entries. */
  readLast(): Buffer | null {
    let fd: number;
    try {
      fd = fs.openSync(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size === 0 || size % this.entrySize !== 0) return null;
      const buf = Buffer.alloc(this.entrySize);
      fs.readSync(fd, buf, 0, this.entrySize, size - this.entrySize);
      return buf;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Memory dropped its entries from `count` on; the file must not keep them. */
  truncatedTo(count: number): void {
    if (this.persisted > count) this.persisted = count;
  }

  /**
   * Writes entries [persisted, count) given by `encode`, trimming stale entries first. The file
   * is opened only for this and closed again: an index is written once per flush at most, and
   * holding two descriptors per partition for it made thousands of partitions exhaust the
   * open-file limit. fsync through a fresh descriptor still flushes everything written before.
   */
  persist(count: number, encode: (from: number, to: number) => Buffer, sync: boolean): void {
    const trim = this.fileEntries !== this.persisted;
    const write = count > this.persisted;
    if (!trim && !write && !(sync && this.unsynced)) return;
    const fd = this.open();
    try {
      if (trim) {
        fs.ftruncateSync(fd, this.persisted * this.entrySize);
        this.fileEntries = this.persisted;
        this.unsynced = true;
      }
      if (write) {
        writeFully(fd, encode(this.persisted, count), this.persisted * this.entrySize);
        this.persisted = this.fileEntries = count;
        this.unsynced = true;
      }
      if (sync) {
        fs.fsyncSync(fd);
        this.unsynced = false;
      }
    } finally {
      this.close();
    }
  }

  /** Forgets what the file holds, so the next persist rewrites it from scratch. */
  invalidate(): void {
    this.persisted = 0;
    this.fileEntries = -1;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  delete(): void {
    this.close();
    unlinkIfExists(this.path);
  }

  private open(): number {
    if (this.fd === null) this.fd = fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    return this.fd;
  }
}
