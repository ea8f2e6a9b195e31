import type { Buffer } from 'buffer';
import * as fs from 'fs';

/** readSync may return short counts; loops until `length` bytes or end of file. Returns bytes read. */
export function readFully(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** writeSync may write less than asked (e.g. near a full disk); loops so a batch is never half-written silently. */
export function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
  }
}

/** Makes a create, rename or unlink in `dir` durable; without it a crash can forget the directory entry. */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch {
    return; // platforms that cannot open a directory (Windows) do not need this either
  }
  try {
    fs.fsyncSync(fd);
  } catch {
    // some filesystems reject fsync on a directory; the rename itself is still atomic there
  } finally {
    fs.closeSync(fd);
  }
}

export function unlinkIfExists(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export function fileExists(file: string): boolean {
  return fs.existsSync(file);
}
