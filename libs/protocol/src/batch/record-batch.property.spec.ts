import { Buffer } from 'buffer';
import fc from 'fast-check';
import { TributaryError } from '../errors';
import { decodeProduceEntries, encodeProduceEntries } from '../wire/produce-frame';
import { crc32c } from './crc32c';
import * as L from './layout';
import type { RecordData } from './record';
import { decodeRecordBatch, decodeRecordBatches, encodeRecordBatch, validateRecordBatches } from './record-batch';

/**
 * Property tests for the record-batch codec and the produce frame: whatever bytes arrive,
 * the broker's checks either accept a batch that then decodes completely, or throw a
 * TributaryError carrying a wire code. Any other exception (RangeError from a Buffer read,
 * a TypeError) would be a crash path at the gateway.
 */
const RUNS = Number(process.env.FUZZ_PROPERTY_RUNS ?? 300);

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const headerKey = fc.string({ maxLength: 12 });
const record: fc.Arbitrary<RecordData> = fc.record({
  key: fc.option(bytes(40), { nil: null }),
  value: fc.option(bytes(200), { nil: null }),
  headers: fc.array(fc.tuple(headerKey, bytes(20)), { maxLength: 4 }).map(toHeaders),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
});
const records = fc.array(record, { minLength: 1, maxLength: 12 });

/** One edit to a byte string: what a buggy or hostile client does to a good batch. */
type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; data: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'int32'; at: number; value: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), data: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  // Length and count fields are int32s: extreme values reach the checks that matter most.
  fc.record({
    kind: fc.constant('int32' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, -1, 1, 0x7fffffff, -0x80000000, 61, 1 << 20),
  }),
);

describe('record batch codec (properties)', () => {
  it('round-trips any records through encode, validate and decode', () => {
    fc.assert(
      fc.property(records, (recs) => {
        const buf = encodeRecordBatch(recs);
        const [header] = validateRecordBatches(buf, buf.length);
        expect(header.recordCount).toBe(recs.length);
        const decoded = decodeRecordBatch(buf).records;
        expect(decoded.map(plain)).toEqual(recs.map((r, i) => ({ ...plain({ ...r, headers: r.headers ?? {} }), offset: i })));
      }),
      { numRuns: RUNS },
    );
  });

  it('answers mutated batches (with or without a recomputed CRC) with a TributaryError, or accepts what then decodes', () => {
    fc.assert(
      fc.property(records, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (recs, edits, fixCrc) => {
        let buf = encodeRecordBatch(recs);
        for (const m of edits) buf = apply(buf, m);
        if (fixCrc) recomputeCrc(buf);
        checkTotal(buf);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('answers arbitrary bytes with a TributaryError', () => {
    fc.assert(
      fc.property(bytes(300), (buf) => checkTotal(buf)),
      { numRuns: RUNS },
    );
  });

  it('never returns a batch header whose records do not decode (several batches back to back)', () => {
    fc.assert(
      fc.property(fc.array(records, { minLength: 1, maxLength: 3 }), fc.nat(), (batches, cut) => {
        const whole = Buffer.concat(batches.map((r) => encodeRecordBatch(r)));
        checkTotal(whole.subarray(0, cut % (whole.length + 1)));
        // A fetch response may end in a partial batch: the client skips it, never throws on it.
        expect(() => decodeRecordBatches(whole.subarray(0, cut % (whole.length + 1)))).not.toThrow();
      }),
      { numRuns: RUNS },
    );
  });

  it('decodes header keys such as __proto__ as plain data', () => {
    const buf = encodeRecordBatch([{ key: null, value: null, headers: toHeaders([['__proto__', Buffer.from('x')]]), timestamp: 1 }]);
    const [rec] = decodeRecordBatch(buf).records;
    expect(Object.getPrototypeOf(rec.headers)).toBe(Object.prototype);
    expect(Object.keys(rec.headers)).toEqual(['__proto__']);
    expect(rec.headers['__proto__']).toEqual(Buffer.from('x'));
  });
});

describe('produce frame (properties)', () => {
  const entry = fc.record({
    topic: fc.string({ minLength: 1, maxLength: 30 }).filter((t) => Buffer.byteLength(t) > 0 && Buffer.byteLength(t) < 0x7fff),
    partition: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    batches: bytes(100),
  });

  it('round-trips entries', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
        const decoded = decodeProduceEntries(encodeProduceEntries(entries));
        expect(decoded.map((e) => ({ ...e, batches: Buffer.from(e.batches) }))).toEqual(
          entries.map((e) => ({ ...e, topic: Buffer.from(e.topic).toString('utf8') })),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('answers arbitrary and mutated frames with entries or INVALID_REQUEST', () => {
    const frame = fc.oneof(
      bytes(200),
      fc
        .tuple(fc.array(entry, { minLength: 1, maxLength: 3 }), fc.array(mutation, { maxLength: 3 }))
        .map(([entries, edits]) => edits.reduce((b, m) => apply(b, m), encodeProduceEntries(entries))),
    );
    fc.assert(
      fc.property(frame, (buf) => {
        try {
          for (const e of decodeProduceEntries(buf)) expect(e.batches.length).toBeLessThanOrEqual(buf.length);
        } catch (err) {
          expect(err).toBeInstanceOf(TributaryError);
          expect((err as TributaryError).type).toBe('INVALID_REQUEST');
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

/** validate either throws a TributaryError or accepts batches that decode completely. */
function checkTotal(buf: Buffer): void {
  let headers;
  try {
    headers = validateRecordBatches(buf, 1 << 20);
  } catch (err) {
    if (!(err instanceof TributaryError)) throw new Error(`validateRecordBatches threw ${String(err)} for ${buf.toString('hex')}`, { cause: err });
    return;
  }
  let pos = 0;
  for (const h of headers) {
    expect(decodeRecordBatch(buf, pos).records).toHaveLength(h.recordCount);
    pos += h.sizeInBytes;
  }
  expect(pos).toBe(buf.length);
}

function apply(buf: Buffer, m: Mutation): Buffer {
  const at = buf.length === 0 ? 0 : m.at % buf.length;
  switch (m.kind) {
    case 'set': {
      const out = Buffer.from(buf);
      if (out.length > 0) out[at] = m.value;
      return out;
    }
    case 'truncate':
      return Buffer.from(buf.subarray(0, at));
    case 'insert':
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.data), buf.subarray(at)]);
    case 'delete':
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.count)]);
    case 'int32': {
      const out = Buffer.from(buf);
      if (out.length >= 4) out.writeInt32BE(m.value, Math.min(at, out.length - 4));
      return out;
    }
  }
}

/** A hostile client computes the CRC itself, so a valid CRC proves nothing about the contents. */
function recomputeCrc(buf: Buffer): void {
  if (buf.length < L.RECORDS) return;
  const end = Math.min(buf.length, Math.max(L.ATTRIBUTES, buf.readInt32BE(L.BATCH_LENGTH) + L.LOG_OVERHEAD));
  buf.writeUInt32BE(crc32c(buf.subarray(0, end), L.ATTRIBUTES), L.CRC);
}

function toHeaders(pairs: Array<[string, Buffer]>): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

function plain(r: RecordData & { offset?: number }) {
  return {
    key: r.key === null ? null : Buffer.from(r.key).toString('hex'),
    value: r.value === null ? null : Buffer.from(r.value).toString('hex'),
    headers: Object.entries(r.headers ?? {}).map(([k, v]) => [Buffer.from(k).toString('utf8'), Buffer.from(v).toString('hex')]),
    timestamp: r.timestamp,
    ...(r.offset === undefined ? {} : { offset: r.offset }),
  };
}
