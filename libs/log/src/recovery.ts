import { BatchLayout, batchCrcMatches, readBatchHeader } from '@tributary/protocol';
import type { BatchSummary } from './batch-summary';
import { FileWindow } from './file-window';

export interface ScanResult {
  /** bytes from the scan start that hold whole, valid batches */
  validBytes: number;
  /** the offset after the last valid batch */
  nextOffset: number;
  /** why the scan stopped before the end of the file, or null when it reached the end cleanly */
  problem: string | null;
}

/** Recovery reads big sequential chunks: one syscall per megabytes, not per batch. */
const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;
const MIN_BATCH_LENGTH = BatchLayout.BATCH_HEADER_SIZE - BatchLayout.LOG_OVERHEAD;

/**
 * Walks the batches of a segment file from `startPosition` and stops at the first one that is
 * torn (cut short by a crash), malformed, out of sequence, or (with `verifyCrc`) corrupt.
 * Everything before that point is trustworthy, everything from it on is not: a crash can only
 * damage the tail of an append-only file, so the caller truncates there. Offsets must follow
 * on exactly from `expectedOffset` (when given), since the log never leaves gaps.
 */
export function scanBatches(
  fd: number,
  fileSize: number,
  startPosition: number,
  expectedOffset: number | null,
  verifyCrc: boolean,
  onBatch: (batch: BatchSummary) => void,
): ScanResult {
  const window = new FileWindow(fd, fileSize, SCAN_CHUNK_BYTES);
  let position = startPosition;
  let nextOffset = expectedOffset ?? -1;
  const stop = (problem: string | null): ScanResult => ({ validBytes: position - startPosition, nextOffset, problem });

  while (position < fileSize) {
    const at = window.ensure(position, BatchLayout.BATCH_HEADER_SIZE);
    if (at < 0) return stop(`torn batch header at byte ${position}`);
    const header = readBatchHeader(window.buffer, at);
    if (header.magic !== BatchLayout.CURRENT_MAGIC) return stop(`batch at byte ${position} has magic ${header.magic}`);
    if (header.batchLength < MIN_BATCH_LENGTH) return stop(`batch at byte ${position} has length ${header.batchLength}`);
    if (position + header.sizeInBytes > fileSize) return stop(`torn batch at byte ${position}: ${header.sizeInBytes} bytes, ${fileSize - position} on disk`);
    if (header.lastOffsetDelta < 0) return stop(`batch at byte ${position} has lastOffsetDelta ${header.lastOffsetDelta}`);
    if (nextOffset >= 0 && header.baseOffset !== nextOffset)
      return stop(`batch at byte ${position} has base offset ${header.baseOffset}, expected ${nextOffset}`);
    if (verifyCrc) {
      const whole = window.ensure(position, header.sizeInBytes);
      if (whole < 0 || !batchCrcMatches(window.buffer, whole, header)) return stop(`batch at byte ${position} fails its CRC`);
    }
    onBatch({
      position,
      baseOffset: header.baseOffset,
      lastOffset: header.lastOffset,
      maxTimestamp: header.maxTimestamp,
      size: header.sizeInBytes,
    });
    position += header.sizeInBytes;
    nextOffset = header.lastOffset + 1;
  }
  return stop(null);
}
