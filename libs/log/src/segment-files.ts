import * as path from 'path';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';

/** Leftovers of an interrupted atomic write or deletion; never data, so removed on open. */
export const STRAY_SUFFIXES = ['.tmp', '.deleted', '.swap', '.cleaned'];

const SEGMENT_NAME = /^(\d{20})\.(log|index|timeindex)$/;

/** Kafka's naming: the base offset zero-padded to 20 digits, so names sort in offset order. */
export function segmentFileName(dir: string, baseOffset: number, suffix: string): string {
  return path.join(dir, String(baseOffset).padStart(20, '0') + suffix);
}

/** The base offset and suffix a segment file name encodes, or null when it is not a segment file. */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: string } | null {
  const m = SEGMENT_NAME.exec(name);
  if (m === null) return null;
  const baseOffset = Number(m[1]);
  if (!Number.isSafeInteger(baseOffset)) return null;
  return { baseOffset, suffix: '.' + m[2] };
}
