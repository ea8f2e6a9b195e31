import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { crc32c, type ProducerEntry } from '@tributary/protocol';
import { unlinkIfExists, writeFully } from './file-io';

export const SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOT_NAME = /^(\d{20})\.snapshot$/;
const VERSION = 1;
/** version int16, crc int32, count int32 */
const HEADER = 10;
const ENTRY = 8 + 2 + 8 + 1;
const BATCH = 4 + 4 + 8 + 8;

/**
 * Producer state snapshots beside the segments, Kafka's `<offset>.snapshot`: the state of
 * every producer after the log up to `offset` (exclusive). Binary, with a CRC32C over
 * everything after the checksum, written to a temp file and renamed; a snapshot that fails its
 * checksum (torn by a crash, or damaged) is ignored (the log is replayed
 * from an older one instead), never trusted.
 */
export function snapshotFileName(dir: string, offset: number): string {
  return path.join(dir, String(offset).padStart(20, '0') + SNAPSHOT_SUFFIX);
}

/** Offsets of the snapshots in `dir`, ascending. */
export function listSnapshots(dir: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = SNAPSHOT_NAME.exec(name);
    if (m !== null && Number.isSafeInteger(Number(m[1]))) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

export function encodeSnapshot(entries: readonly ProducerEntry[]): Buffer {
  let size = HEADER;
  for (const e of entries) size += ENTRY + e.batches.length * BATCH;
  const buf = Buffer.alloc(size);
  buf.writeInt16BE(VERSION, 0);
  buf.writeInt32BE(entries.length, 6);
  let p = HEADER;
  for (const e of entries) {
    buf.writeBigInt64BE(BigInt(e.producerId), p);
    buf.writeInt16BE(e.epoch, p + 8);
    buf.writeBigInt64BE(BigInt(e.lastTimestamp), p + 10);
    buf.writeInt8(e.batches.length, p + 18);
    p += ENTRY;
    for (const b of e.batches) {
      buf.writeInt32BE(b.firstSeq, p);
      buf.writeInt32BE(b.lastSeq, p + 4);
      buf.writeBigInt64BE(BigInt(b.firstOffset), p + 8);
      buf.writeBigInt64BE(BigInt(b.lastOffset), p + 16);
      p += BATCH;
    }
  }
  buf.writeUInt32BE(crc32c(buf, 6), 2);
  return buf;
}

/** The entries, or null when the bytes are not a whole, intact snapshot of this version. */
export function decodeSnapshot(buf: Buffer): ProducerEntry[] | null {
  if (buf.length < HEADER || buf.readInt16BE(0) !== VERSION) return null;
  if (buf.readUInt32BE(2) !== crc32c(buf, 6)) return null;
  const count = buf.readInt32BE(6);
  const entries: ProducerEntry[] = [];
  let p = HEADER;
  for (let i = 0; i < count; i++) {
    if (p + ENTRY > buf.length) return null;
    const producerId = Number(buf.readBigInt64BE(p));
    const epoch = buf.readInt16BE(p + 8);
    const lastTimestamp = Number(buf.readBigInt64BE(p + 10));
    const n = buf.readInt8(p + 18);
    p += ENTRY;
    if (n < 0 || p + n * BATCH > buf.length) return null;
    const batches = [];
    for (let j = 0; j < n; j++) {
      batches.push({
        firstSeq: buf.readInt32BE(p),
        lastSeq: buf.readInt32BE(p + 4),
        firstOffset: Number(buf.readBigInt64BE(p + 8)),
        lastOffset: Number(buf.readBigInt64BE(p + 16)),
      });
      p += BATCH;
    }
    entries.push({ producerId, epoch, batches, lastTimestamp });
  }
  return p === buf.length ? entries : null;
}

/**
 * Not fsynced, unlike checkpoints: a snapshot is only a shortcut past replaying the log, and one
 * a crash left empty or torn fails its checksum and is ignored. So a roll and a shutdown with
 * thousands of partitions pay no extra disk flush.
 */
export function writeSnapshot(dir: string, offset: number, entries: readonly ProducerEntry[]): void {
  const file = snapshotFileName(dir, offset);
  const tmp = file + '.tmp';
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
  try {
    writeFully(fd, encodeSnapshot(entries), 0);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** The snapshot's entries; null when it is missing or corrupt. */
export function readSnapshot(dir: string, offset: number): ProducerEntry[] | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(snapshotFileName(dir, offset));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return decodeSnapshot(buf);
}

export function deleteSnapshot(dir: string, offset: number): void {
  unlinkIfExists(snapshotFileName(dir, offset));
}
