/* Helpers shared by this library's specs; nothing in the library imports this file. */
import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCode, TributaryError, encodeRecordBatch, readBatchHeader, validateRecordBatches, type Timestamp } from '@tributary/protocol';
import type { AppendResult, PartitionLog } from './partition-log';

export const T0 = 1_700_000_000_000;

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-log-'));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * One batch of `count` records; record j has timestamp `timestamp + j` and a value of
 * `valueBytes` bytes, so sizes and timestamps are predictable.
 */
export function makeBatch(count: number, timestamp: number, valueBytes = 20, tag = 'r'): Buffer {
  const records = Array.from({ length: count }, (_, j) => ({
    key: Buffer.from(`${tag}-${j}`),
    value: Buffer.alloc(valueBytes, 97 + (j % 26)),
    timestamp: timestamp + j,
  }));
  return encodeRecordBatch(records);
}

/**
 * Leader-appends `batches` in one call, as the broker does after validating a produce request.
 * `data` is the appended buffer, stamped in place by the log, so it equals the bytes on disk.
 */
export function appendLeader(log: PartitionLog, batches: Buffer[], epoch = 0): AppendResult & { data: Buffer } {
  const data = Buffer.concat(batches);
  return { ...log.appendAsLeader(data, validateRecordBatches(data, 1 << 30), epoch), data };
}

/** What a spec remembers of every batch it appended: its offsets and its exact bytes on disk. */
export interface WrittenBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: Timestamp;
  bytes: Buffer;
}

/** Splits batches back to back into their headers' offsets and bytes. */
export function splitBatches(buf: Buffer): WrittenBatch[] {
  const out: WrittenBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const h = readBatchHeader(buf, pos);
    out.push({ baseOffset: h.baseOffset, lastOffset: h.lastOffset, maxTimestamp: h.maxTimestamp, bytes: buf.subarray(pos, pos + h.sizeInBytes) });
    pos += h.sizeInBytes;
  }
  return out;
}

/** Appends each batch in its own leader append and returns them as stamped (= as on disk). */
export function appendEach(log: PartitionLog, batches: Buffer[], epoch = 0): WrittenBatch[] {
  return batches.map((b) => splitBatches(appendLeader(log, [b], epoch).data)[0]);
}

export function concat(batches: WrittenBatch[]): Buffer {
  return Buffer.concat(batches.map((b) => b.bytes));
}

export function errorCode(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof TributaryError) return err.code;
    throw err;
  }
  return ErrorCode.NONE;
}

export function errorOf(fn: () => unknown): TributaryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TributaryError) return err;
    throw err;
  }
  throw new Error('expected a TributaryError');
}

export function segmentFiles(dir: string, suffix = '.log'): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith(suffix))
    .sort();
}

export function segmentName(base: number, suffix = '.log'): string {
  return String(base).padStart(20, '0') + suffix;
}
