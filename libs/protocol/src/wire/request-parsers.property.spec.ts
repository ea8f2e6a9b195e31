import { Buffer } from 'buffer';
import fc from 'fast-check';
import { TributaryError } from '../errors';
import { parseGroupRequest } from './group-schemas';
import { parseRequest } from './schemas';

/**
 * Every request parser is total: whatever a client sends (any JSON-like value, binary, deep
 * nesting, huge numbers, prototype keys), it returns a request or throws a TributaryError
 * with a wire code. Nothing else may escape the gateway.
 */
const RUNS = Number(process.env.FUZZ_PROPERTY_RUNS ?? 300);

const parsers: Array<[string, (payload: unknown) => unknown]> = [...Object.entries(parseRequest), ...Object.entries(parseGroupRequest)];

const scalar = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, -2, 0x7fffffff, 0x80000000, -0x80000001, Number.MAX_SAFE_INTEGER, 2 ** 63, NaN, Infinity, -0),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', '__proto__', 'constructor', 'a'.repeat(300), '\u0000\u001b[31m<script>'),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
);
const fieldName = fc.constantFrom(
  'topics',
  'topic',
  'partition',
  'partitions',
  'acks',
  'timeoutMs',
  'data',
  'replicaId',
  'replicaEpoch',
  'maxWaitMs',
  'minBytes',
  'maxBytes',
  'fetchOffset',
  'partitionMaxBytes',
  'timestamp',
  'name',
  'numPartitions',
  'replicationFactor',
  'configs',
  'validateOnly',
  'leaderEpoch',
  'currentLeaderEpoch',
  'groupId',
  'groupIds',
  'memberId',
  'generationId',
  'clientId',
  'sessionTimeoutMs',
  'rebalanceTimeoutMs',
  'assignors',
  'offsets',
  'offset',
  'metadata',
  '__proto__',
  'constructor',
);
/** Values shaped like requests (the right field names, wrong or extreme values), which reach deeper than random objects. */
const { value: requestLike } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(fieldName, fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 8 }),
}));

describe('request parsers (properties)', () => {
  it.each(parsers)('%s answers any value with a request or a TributaryError', (_name, parse) => {
    fc.assert(
      fc.property(fc.oneof(fc.anything({ maxDepth: 3 }), requestLike), (payload) => {
        try {
          parse(payload);
        } catch (err) {
          if (!(err instanceof TributaryError)) throw new Error(`threw ${String(err)}`, { cause: err });
          expect(['INVALID_REQUEST', 'INVALID_GROUP_ID', 'INVALID_TOPIC_EXCEPTION']).toContain(err.type);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps a __proto__ key sent as JSON from reaching a parsed request', () => {
    for (const [, parse] of parsers) {
      const payload = JSON.parse('{"__proto__": {"polluted": true}, "topics": ["t"], "groupId": "g"}');
      try {
        const parsed = parse(payload) as Record<string, unknown>;
        expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
        expect((parsed as { polluted?: unknown }).polluted).toBeUndefined();
      } catch (err) {
        expect(err).toBeInstanceOf(TributaryError);
      }
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('accepts well-formed fetch requests unchanged', () => {
    const fetch = fc.record({
      maxWaitMs: fc.integer({ min: 0, max: 1000 }),
      minBytes: fc.integer({ min: 0, max: 1 << 20 }),
      maxBytes: fc.integer({ min: 1, max: 1 << 20 }),
      partitions: fc.uniqueArray(
        fc.record({
          topic: fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/),
          partition: fc.integer({ min: 0, max: 100 }),
          fetchOffset: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          partitionMaxBytes: fc.integer({ min: 1, max: 1 << 20 }),
        }),
        { minLength: 1, maxLength: 5, selector: (p) => `${p.topic}/${p.partition}` },
      ),
    });
    fc.assert(
      fc.property(fetch, (req) => expect(parseRequest.fetch(req)).toEqual(req)),
      { numRuns: RUNS },
    );
  });
});
