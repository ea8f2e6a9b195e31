import type { Buffer } from 'buffer';
import { TributaryError } from '../errors';
import { crc32c } from './crc32c';
import * as L from './layout';
import type { BatchHeader } from './record';
import { NO_TIMESTAMP, writeTimestamp, type Timestamp } from './timestamp';

/** Kafka's message.timestamp.type */
export type TimestampType = 'CreateTime' | 'LogAppendTime';

/**
 * What a leader accepts as record timestamps right now (KIP-937). Both bounds are safe
 * integers, so every timestamp a broker accepts stays a plain number inside the log.
 */
export interface TimestampRule {
  logAppendTime: boolean;
  /** smallest accepted create time, >= 0 */
  min: number;
  /** largest accepted create time, <= 2^53 - 1 */
  max: number;
  /** the broker's clock, stamped into batches under LogAppendTime */
  now: number;
}

export function timestampRule(type: TimestampType, beforeMaxMs: number, afterMaxMs: number, now: number): TimestampRule {
  // A bound beyond 2^53 ms (285,000 years) means "unbounded"; clamping keeps the arithmetic in numbers.
  const min = beforeMaxMs >= now ? 0 : now - beforeMaxMs;
  const max = afterMaxMs >= Number.MAX_SAFE_INTEGER - now ? Number.MAX_SAFE_INTEGER : now + afterMaxMs;
  return { logAppendTime: type === 'LogAppendTime', min, max, now };
}

/** -1 (NO_TIMESTAMP) or inside the rule's range; anything else is INVALID_TIMESTAMP (Kafka code 32). */
export function checkCreateTime(t: Timestamp, rule: TimestampRule, what: string): void {
  if (t === NO_TIMESTAMP) return;
  if (t < rule.min || t > rule.max) {
    const why =
      t < 0 ? 'negative timestamps other than -1 are invalid' : `accepted range is [${rule.min}, ${rule.max}] (message.timestamp.before.max.ms / after.max.ms)`;
    throw TributaryError.of('INVALID_TIMESTAMP', `${what} ${t} is out of range: ${why}`);
  }
}

/**
 * Applies the topic's timestamp type to validated batches in place, as Kafka's LogValidator
 * does: under LogAppendTime the leader writes its clock into maxTimestamp and sets the
 * attribute bit; under CreateTime a LogAppendTime bit a client sent is cleared. Both fields
 * lie inside the CRC, so it is recomputed, and `headers` are updated to match, so followers
 * and consumers see exactly the stamped batch. Batches already in the wanted form are not touched.
 */
export function applyTimestampType(buf: Buffer, headers: BatchHeader[], rule: TimestampRule): void {
  let pos = 0;
  for (const h of headers) {
    const stamped = (h.attributes & L.TIMESTAMP_TYPE_MASK) !== 0;
    if (rule.logAppendTime) {
      if (!stamped || h.maxTimestamp !== rule.now) {
        h.attributes |= L.TIMESTAMP_TYPE_MASK;
        h.maxTimestamp = rule.now;
        buf.writeInt16BE(h.attributes, pos + L.ATTRIBUTES);
        writeTimestamp(buf, rule.now, pos + L.MAX_TIMESTAMP);
        rewriteCrc(buf, pos, h);
      }
    } else if (stamped) {
      h.attributes &= ~L.TIMESTAMP_TYPE_MASK;
      buf.writeInt16BE(h.attributes, pos + L.ATTRIBUTES);
      rewriteCrc(buf, pos, h);
    }
    pos += h.sizeInBytes;
  }
}

function rewriteCrc(buf: Buffer, pos: number, h: BatchHeader): void {
  h.crc = crc32c(buf, pos + L.ATTRIBUTES, pos + h.sizeInBytes);
  buf.writeUInt32BE(h.crc, pos + L.CRC);
}
