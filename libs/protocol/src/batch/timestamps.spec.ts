import { Buffer } from 'buffer';
import fc from 'fast-check';
import { ErrorCode, TributaryError } from '../errors';
import { applyTimestampType, timestampRule } from './batch-timestamps';
import { crc32c } from './crc32c';
import * as L from './layout';
import { batchCrcMatches, decodeRecordBatch, encodeRecordBatch, readBatchHeader, validateRecordBatches } from './record-batch';
import { toTimestamp, type Timestamp } from './timestamp';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** The values the issue names, in canonical form (number when safe, bigint beyond). */
const EDGES: bigint[] = [-1n, 0n, SAFE - 1n, SAFE, SAFE + 1n, SAFE + 2n, -SAFE, -SAFE - 1n, INT64_MAX, INT64_MIN, INT64_MAX - 1n, INT64_MIN + 1n];
const int64 = fc.oneof(fc.constantFrom(...EDGES), fc.bigInt(INT64_MIN, INT64_MAX));

const rec = (timestamp: Timestamp, value = 'v') => ({ key: null, value: Buffer.from(value), timestamp });
const codeOf = (fn: () => unknown): number | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof TributaryError ? err.code : -999;
  }
};

describe('int64 timestamps through the RecordBatch codec', () => {
  it('a one-record batch keeps any int64 timestamp exactly (header and record)', () => {
    fc.assert(
      fc.property(int64, (t) => {
        const ts = toTimestamp(t);
        const buf = encodeRecordBatch([rec(ts)]);
        expect(buf.readBigInt64BE(L.BASE_TIMESTAMP)).toBe(t);
        expect(buf.readBigInt64BE(L.MAX_TIMESTAMP)).toBe(t);
        const { header, records } = decodeRecordBatch(buf);
        expect(header.baseTimestamp).toBe(ts);
        expect(header.maxTimestamp).toBe(ts);
        expect(records[0].timestamp).toBe(ts);
        // canonical: a number exactly when a number can hold it
        expect(typeof records[0].timestamp).toBe(t >= -SAFE && t <= SAFE ? 'number' : 'bigint');
      }),
      { numRuns: 500 },
    );
  });

  it('records with deltas of up to 2^62 round-trip exactly, max is the largest', () => {
    const span = 1n << 62n;
    fc.assert(
      fc.property(
        fc.bigInt(INT64_MIN + span, INT64_MAX - span),
        fc.array(
          fc.oneof(fc.bigInt(-span, span), fc.constantFrom(0n, 1n, -1n, SAFE, SAFE + 1n, -SAFE, (1n << 52n) - 1n, 1n << 52n, -(1n << 52n), -(1n << 52n) - 1n)),
          { minLength: 1, maxLength: 8 },
        ),
        (base, deltas) => {
          const stamps = [base, ...deltas.map((d) => base + d)];
          const buf = encodeRecordBatch(stamps.map((t) => rec(toTimestamp(t))));
          const { header, records } = decodeRecordBatch(buf);
          expect(records.map((r) => BigInt(r.timestamp))).toEqual(stamps);
          expect(BigInt(header.maxTimestamp)).toBe(stamps.reduce((a, b) => (b > a ? b : a)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('zig-zag deltas around 2^52, where doubling leaves the exact numbers, stay exact (found by the property above)', () => {
    for (const d of [(1n << 52n) - 1n, 1n << 52n, (1n << 52n) + 1n, -(1n << 52n) + 1n, -(1n << 52n), -(1n << 52n) - 1n]) {
      const { records } = decodeRecordBatch(encodeRecordBatch([rec(0), rec(toTimestamp(d))]));
      expect(BigInt(records[1].timestamp)).toBe(d);
    }
  });

  it('a delta that does not fit in int64 is INVALID_TIMESTAMP when encoding, not a RangeError', () => {
    expect(codeOf(() => encodeRecordBatch([rec(toTimestamp(INT64_MIN)), rec(toTimestamp(INT64_MAX))]))).toBe(ErrorCode.INVALID_TIMESTAMP);
  });
});

describe('timestamp validation at the leader (KIP-937 bounds)', () => {
  const now = 1_700_000_000_000;
  const rule = timestampRule('CreateTime', Number.MAX_SAFE_INTEGER, 3_600_000, now);

  it('refuses the poison batch (valid CRC, maxTimestamp 2^63-1) and every out-of-range or negative timestamp', () => {
    const poison = encodeRecordBatch([rec(toTimestamp(INT64_MAX))]);
    expect(batchCrcMatches(poison, 0, readBatchHeader(poison))).toBe(true);
    expect(codeOf(() => validateRecordBatches(poison, 1 << 20, rule))).toBe(ErrorCode.INVALID_TIMESTAMP);
    for (const t of [now + 3_600_001, -2, INT64_MIN, SAFE + 1n, -SAFE]) {
      expect(codeOf(() => validateRecordBatches(encodeRecordBatch([rec(typeof t === 'bigint' ? toTimestamp(t) : t)]), 1 << 20, rule))).toBe(
        ErrorCode.INVALID_TIMESTAMP,
      );
    }
    // A bad record behind a good base is caught too (base + delta).
    expect(codeOf(() => validateRecordBatches(encodeRecordBatch([rec(now), rec(now + 7_200_000)]), 1 << 20, rule))).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(codeOf(() => validateRecordBatches(encodeRecordBatch([rec(now), rec(-5)]), 1 << 20, rule))).toBe(ErrorCode.INVALID_TIMESTAMP);
    // Accepted: -1 (no timestamp), 0, the past, up to after.max.ms ahead.
    for (const t of [-1, 0, 1, now - 10 * 365 * 86_400_000, now, now + 3_600_000]) {
      expect(codeOf(() => validateRecordBatches(encodeRecordBatch([rec(t)]), 1 << 20, rule))).toBeNull();
    }
    expect(codeOf(() => validateRecordBatches(encodeRecordBatch([rec(-1), rec(now), rec(-1)]), 1 << 20, rule))).toBeNull();
  });

  it('honours message.timestamp.before.max.ms', () => {
    const tight = timestampRule('CreateTime', 60_000, 60_000, now);
    expect(codeOf(() => validateRecordBatches(encodeRecordBatch([rec(now - 60_001)]), 1 << 20, tight))).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(codeOf(() => validateRecordBatches(encodeRecordBatch([rec(now - 60_000)]), 1 << 20, tight))).toBeNull();
  });

  it('refuses a maxTimestamp that is not the largest record timestamp (CRC made valid)', () => {
    const lying = encodeRecordBatch([rec(now), rec(now + 5)]);
    lying.writeBigInt64BE(BigInt(now + 1), L.MAX_TIMESTAMP);
    fixCrc(lying);
    expect(codeOf(() => validateRecordBatches(lying, 1 << 20, rule))).toBe(ErrorCode.INVALID_TIMESTAMP);
  });

  it('property: validation accepts exactly the batches whose every timestamp is -1 or in range', () => {
    const ts = fc.oneof(fc.constant(-1n), fc.bigInt(-10n, 10n), fc.bigInt(BigInt(now) - 10n, BigInt(now) + 3_600_010n), fc.constantFrom(...EDGES));
    fc.assert(
      fc.property(fc.array(ts, { minLength: 1, maxLength: 5 }), (stamps) => {
        let buf: Buffer;
        try {
          buf = encodeRecordBatch(stamps.map((t) => rec(toTimestamp(t))));
        } catch {
          return; // deltas beyond int64 cannot be encoded at all
        }
        const ok = stamps.every((t) => t === -1n || (t >= 0n && t <= BigInt(now) + 3_600_000n));
        expect(codeOf(() => validateRecordBatches(buf, 1 << 20, rule))).toBe(ok ? null : ErrorCode.INVALID_TIMESTAMP);
      }),
      { numRuns: 500 },
    );
  });

  it('property: with both bounds unbounded, exactly [0, 2^53-1] and -1 pass, whatever the deltas', () => {
    const open = timestampRule('CreateTime', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, now);
    expect(open.max).toBe(Number.MAX_SAFE_INTEGER);
    const ts = fc.oneof(fc.constant(-1n), fc.bigInt(SAFE - 3n, SAFE + 3n), fc.bigInt(-3n, 3n), fc.constantFrom(...EDGES));
    fc.assert(
      fc.property(fc.array(ts, { minLength: 1, maxLength: 5 }), (stamps) => {
        let buf: Buffer;
        try {
          buf = encodeRecordBatch(stamps.map((t) => rec(toTimestamp(t))));
        } catch {
          return;
        }
        const ok = stamps.every((t) => t === -1n || (t >= 0n && t <= SAFE));
        expect(codeOf(() => validateRecordBatches(buf, 1 << 20, open))).toBe(ok ? null : ErrorCode.INVALID_TIMESTAMP);
      }),
      { numRuns: 500 },
    );
  });

  it('LogAppendTime: the leader stamps maxTimestamp and the attribute bit, with a valid CRC, and records read the stamp', () => {
    const lat = timestampRule('LogAppendTime', Number.MAX_SAFE_INTEGER, 3_600_000, now);
    // Under LogAppendTime a client's create times are not checked (Kafka overwrites them).
    const buf = Buffer.concat([encodeRecordBatch([rec(5), rec(6)]), encodeRecordBatch([rec(toTimestamp(INT64_MAX))])]);
    const headers = validateRecordBatches(buf, 1 << 20, lat);
    applyTimestampType(buf, headers, lat);
    const again = validateRecordBatches(buf, 1 << 20); // CRCs still match after the rewrite
    expect(again.map((h) => [h.maxTimestamp, h.attributes & L.TIMESTAMP_TYPE_MASK])).toEqual([
      [now, L.TIMESTAMP_TYPE_MASK],
      [now, L.TIMESTAMP_TYPE_MASK],
    ]);
    expect(headers.map((h) => h.maxTimestamp)).toEqual([now, now]);
    expect(decodeRecordBatch(buf).records.map((r) => r.timestamp)).toEqual([now, now]);
  });

  it('CreateTime: a LogAppendTime bit sent by a client is cleared (as Kafka does), CRC recomputed', () => {
    const buf = encodeRecordBatch([rec(now)], { logAppendTime: true });
    const headers = validateRecordBatches(buf, 1 << 20, rule);
    applyTimestampType(buf, headers, rule);
    const h = validateRecordBatches(buf, 1 << 20)[0];
    expect(h.attributes & L.TIMESTAMP_TYPE_MASK).toBe(0);
    expect(h.maxTimestamp).toBe(now);
  });
});

function fixCrc(buf: Buffer): void {
  const h = readBatchHeader(buf);
  buf.writeUInt32BE(crc32c(buf, L.ATTRIBUTES, h.sizeInBytes), L.CRC);
}
