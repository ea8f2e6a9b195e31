import type { Buffer } from 'buffer';
import { TributaryError } from '../errors';

/**
 * An int64 timestamp (ms since the epoch), exact: a number whenever it is a safe integer
 * (|t| <= 2^53 - 1, every time a broker accepts), a bigint only beyond that. The common case
 * then costs no BigInt arithmetic, while a value no JavaScript number can hold (a hostile
 * 2^63-1) still round-trips bit for bit instead of rounding to 2^63 and failing on write.
 * Numbers and bigints compare exactly with < and > in JavaScript, so callers compare freely.
 */
export type Timestamp = number | bigint;

/** Kafka's RecordBatch.NO_TIMESTAMP */
export const NO_TIMESTAMP = -1;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** The canonical form: a number when it fits exactly, else the bigint. */
export function toTimestamp(v: bigint): Timestamp {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

export function readTimestamp(buf: Buffer, pos: number): Timestamp {
  return toTimestamp(buf.readBigInt64BE(pos));
}

/** Writes exactly; a value outside int64 is refused before any byte moves. */
export function writeTimestamp(buf: Buffer, value: Timestamp, pos: number): void {
  buf.writeBigInt64BE(toInt64(value), pos);
}

export function toInt64(value: Timestamp): bigint {
  const big = typeof value === 'bigint' ? value : BigInt(value);
  if (big < INT64_MIN || big > INT64_MAX) throw TributaryError.of('INVALID_TIMESTAMP', `timestamp (or timestamp delta) ${big} does not fit in int64`);
  return big;
}

/** a + b exactly (the record timestamp from a batch's base and a record's delta). */
export function addTimestamps(a: Timestamp, b: Timestamp): Timestamp {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return toTimestamp(BigInt(a) + BigInt(b));
}

/** a - b exactly. */
export function subtractTimestamps(a: Timestamp, b: Timestamp): Timestamp {
  if (typeof a === 'number' && typeof b === 'number') {
    const diff = a - b;
    if (Number.isSafeInteger(diff)) return diff;
  }
  return toTimestamp(BigInt(a) - BigInt(b));
}

export function maxTimestamp(a: Timestamp, b: Timestamp): Timestamp {
  return b > a ? b : a;
}

/** For the JSON wire, which has no int64: exact below 2^53, rounded beyond (never produced by a broker's own validation). */
export function timestampToNumber(t: Timestamp): number {
  return typeof t === 'number' ? t : Number(t);
}
