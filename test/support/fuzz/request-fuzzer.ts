import { Buffer } from 'buffer';
import fc from 'fast-check';
import { BatchLayout, crc32c, encodeProduceEntries, encodeRecordBatch, Events } from '@tributary/protocol';

/**
 * Generates the requests a hostile or buggy client sends: random values, request-shaped
 * payloads with wrong or extreme fields, and well-formed produce frames whose batches were
 * mutated and then given a valid CRC again (a client computes the CRC itself, so a valid CRC
 * proves nothing). Seeded, so a failing run can be replayed with FUZZ_SEED.
 */
export interface FuzzRequest {
  event: string;
  payload: unknown;
  /** how the payload was made, for the counts */
  strategy: string;
}

export interface FuzzTopics {
  /** topics whose logs must not change: the fuzzer only reads them or sends them invalid data */
  readOnly: Array<{ name: string; partitions: number }>;
  /** a topic that may receive whatever passes the broker's checks */
  writable: { name: string; partitions: number };
}

const EVENTS = Object.values(Events);
const INT64_FIELDS = [BatchLayout.BASE_TIMESTAMP, BatchLayout.MAX_TIMESTAMP, BatchLayout.PRODUCER_ID];
const extremeInt = fc.constantFrom(0, -1, -2, 1, 0x7fffffff, -0x80000000, 0x80000000, Number.MAX_SAFE_INTEGER, 2 ** 63, -(2 ** 63), 1e308, NaN, 0.5);
const anyScalar = fc.oneof(
  extremeInt,
  fc.integer(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '__proto__', '__consumer_offsets', 'a'.repeat(300), 'x\u0000y', '<script>', '../../etc', 'ws://x'),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
);

export class RequestFuzzer {
  private readonly arbitrary: fc.Arbitrary<FuzzRequest>;

  constructor(topics: FuzzTopics) {
    const topicName = fc.oneof(
      { arbitrary: fc.constantFrom(...topics.readOnly.map((t) => t.name), topics.writable.name), weight: 6 },
      { arbitrary: fc.constantFrom('no-such-topic', 'fuzz.created', 'fuzz_created', '', 'bad name!', '__consumer_offsets'), weight: 2 },
      { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
    );
    // Mostly partitions that exist, so requests reach the partitions; sometimes not, or absurd.
    const partition = fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 2 }), weight: 6 },
      { arbitrary: fc.integer({ min: -1, max: 8 }), weight: 2 },
      { arbitrary: extremeInt, weight: 1 },
    );
    const offset = fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 400 }), weight: 6 },
      { arbitrary: fc.integer({ min: -2, max: -1 }), weight: 1 },
      { arbitrary: extremeInt, weight: 1 },
    );
    const readTemplates = fc.oneof(
      fc.record({ topics: fc.option(fc.array(topicName, { maxLength: 5 }), { nil: null }) }).map((p) => req(Events.metadata, p)),
      fc
        .record({
          replicaId: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
          replicaEpoch: fc.option(fc.integer({ min: -1, max: 5 }), { nil: undefined }),
          maxWaitMs: fc.integer({ min: 0, max: 50 }),
          minBytes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1 << 20 })),
          maxBytes: fc.oneof(fc.integer({ min: 1, max: 1 << 20 }), fc.constant(0x7fffffff)),
          partitions: fc.oneof(
            fc.uniqueArray(fc.record({ topic: topicName, partition, fetchOffset: offset, partitionMaxBytes: fc.integer({ min: 1, max: 1 << 20 }) }), {
              minLength: 1,
              maxLength: 6,
              selector: (p) => `${p.topic}/${String(p.partition)}`,
            }),
            // duplicates, which the broker must refuse rather than read twice
            fc.array(fc.record({ topic: topicName, partition, fetchOffset: offset, partitionMaxBytes: fc.integer({ min: 1, max: 1 << 20 }) }), {
              minLength: 2,
              maxLength: 6,
            }),
          ),
        })
        .map((p) => req(Events.fetch, dropUndefined(p))),
      fc
        .record({
          partitions: fc.array(fc.record({ topic: topicName, partition, timestamp: fc.oneof(fc.integer({ min: -2, max: 2 ** 45 }), extremeInt) }), {
            minLength: 1,
            maxLength: 4,
          }),
        })
        .map((p) => req(Events.listOffsets, p)),
      fc
        .record({
          topic: topicName,
          partition,
          leaderEpoch: fc.oneof(fc.integer({ min: -1, max: 5 }), extremeInt),
          currentLeaderEpoch: fc.oneof(fc.integer({ min: -1, max: 5 }), extremeInt),
        })
        .map((p) => req(Events.offsetForLeaderEpoch, p)),
      fc.record({ groupId: fc.oneof(fc.constantFrom('fuzz-group', 'g'), fc.string({ maxLength: 10 })) }).map((p) => req(Events.findCoordinator, p)),
      fc.record({ groupIds: fc.array(fc.constantFrom('fuzz-group', 'g', ''), { minLength: 1, maxLength: 3 }) }).map((p) => req(Events.describeGroups, p)),
      fc.constant(req(Events.listGroups, {})),
    );
    const groupTemplates = fc.oneof(
      fc
        .record({
          groupId: fc.constantFrom('fuzz-group', 'g2'),
          memberId: fc.oneof(fc.constant(''), fc.string({ maxLength: 12 })),
          clientId: fc.oneof(fc.constant('fuzz'), fc.string({ maxLength: 12 })),
          sessionTimeoutMs: fc.oneof(fc.integer({ min: 1, max: 10_000 }), extremeInt),
          rebalanceTimeoutMs: fc.integer({ min: 1, max: 10_000 }),
          topics: fc.array(topicName, { minLength: 1, maxLength: 3 }),
          assignors: fc.constantFrom(['range'], ['roundrobin'], ['cooperative-sticky'], ['bogus']),
        })
        .map((p) => req(Events.joinGroup, p)),
      fc
        .record({ groupId: fc.constantFrom('fuzz-group', 'g2'), memberId: fc.string({ maxLength: 12 }), generationId: fc.integer({ min: -1, max: 5 }) })
        .chain((ref) => fc.constantFrom(Events.syncGroup, Events.heartbeat, Events.leaveGroup).map((event) => req(event, ref))),
      fc
        .record({
          groupId: fc.constantFrom('fuzz-group', 'g2'),
          memberId: fc.oneof(fc.constant(''), fc.string({ maxLength: 12 })),
          generationId: fc.integer({ min: -1, max: 5 }),
          offsets: fc.array(fc.record({ topic: topicName, partition, offset: fc.oneof(fc.nat(), extremeInt) }), { minLength: 1, maxLength: 4 }),
        })
        .map((p) => req(Events.commitOffsets, p)),
      fc.record({ groupId: fc.constantFrom('fuzz-group', 'g2') }).map((p) => req(Events.fetchOffsets, p)),
    );
    const createTemplates = fc
      .record({
        topics: fc.array(
          fc.record({
            name: fc.oneof(fc.constantFrom('fuzz.created', 'fuzz_created', topics.writable.name, '__consumer_offsets'), fc.string({ maxLength: 12 })),
            numPartitions: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constantFrom(50_000, 0x7fffffff)),
            replicationFactor: fc.oneof(fc.integer({ min: -1, max: 4 }), extremeInt),
            configs: fc.option(
              fc.dictionary(
                fc.constantFrom('retention.ms', 'segment.bytes', 'max.message.bytes', 'min.insync.replicas', 'bogus'),
                fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('-1', '0', '1', '99999999999999999999')),
              ),
              { nil: undefined },
            ),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        validateOnly: fc.option(fc.boolean(), { nil: undefined }),
      })
      .map((p) => req(Events.createTopics, dropUndefined(p)));
    // Topic admin requests: describe anything; change only the writable topic (or names that do not exist).
    const changeable = fc.oneof(fc.constant(topics.writable.name), fc.constantFrom('no-such-topic', '', 'bad name!'), fc.string({ maxLength: 12 }));
    const adminTemplates = fc.oneof(
      fc.record({ topics: fc.array(topicName, { minLength: 0, maxLength: 3 }) }).map((p) => req(Events.describeConfigs, p)),
      fc
        .record({
          topics: fc.array(
            fc.record({
              name: changeable,
              set: fc.dictionary(
                fc.constantFrom(
                  'retention.ms',
                  'retention.bytes',
                  'segment.bytes',
                  'max.message.bytes',
                  'min.insync.replicas',
                  'message.timestamp.type',
                  'bogus',
                ),
                fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('-1', '0', '1', '2', '4', '1048576', 'LogAppendTime', '99999999999999999999')),
              ),
              delete: fc.option(fc.array(fc.constantFrom('retention.ms', 'min.insync.replicas', 'bogus'), { maxLength: 2 }), { nil: undefined }),
            }),
            { minLength: 1, maxLength: 2 },
          ),
          validateOnly: fc.option(fc.boolean(), { nil: undefined }),
        })
        .map((p) => req(Events.alterConfigs, dropUndefined(p))),
      fc
        .record({
          topics: fc.array(fc.record({ name: changeable, count: fc.oneof(fc.integer({ min: -1, max: 5 }), extremeInt) }), { minLength: 1, maxLength: 2 }),
        })
        .map((p) => req(Events.createPartitions, p)),
      fc
        .record({ partitions: fc.array(fc.record({ topic: changeable, partition, offset }), { minLength: 1, maxLength: 3 }) })
        .map((p) => req(Events.deleteRecords, p)),
    );
    const writable = topics.writable;
    const produceMutated = fc
      .record({
        partition: fc.integer({ min: 0, max: writable.partitions - 1 }),
        values: fc.array(fc.uint8Array({ maxLength: 100 }), { minLength: 1, maxLength: 5 }),
        edits: fc.array(fc.record({ at: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constant(-1)) }), { minLength: 0, maxLength: 3 }),
        fixCrc: fc.boolean(),
        acks: fc.constantFrom(-1, 0, 1),
      })
      .map(({ partition: p, values, edits, fixCrc, acks }) => {
        const batch = encodeRecordBatch(values.map((v, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(v), timestamp: Date.now() })));
        for (const e of edits) {
          const at = e.at % batch.length;
          // -1 stands for "an extreme int64 in one of the header's int64 fields" (the poison timestamp kind).
          if (e.value === -1) batch.writeBigInt64BE(e.at % 2 ? 0x7fffffffffffffffn : -0x8000000000000000n, INT64_FIELDS[e.at % INT64_FIELDS.length]);
          else batch[at] = e.value & 0xff;
        }
        if (fixCrc) batch.writeUInt32BE(crc32c(batch, BatchLayout.ATTRIBUTES), BatchLayout.CRC);
        return {
          event: Events.produce,
          payload: { acks, timeoutMs: 2000, data: encodeProduceEntries([{ topic: writable.name, partition: p, batches: batch }]) },
          strategy: `produce-mutated${fixCrc ? '-crc' : ''}`,
        };
      });
    const produceRandom = fc
      .record({
        acks: fc.oneof(fc.constantFrom(-1, 0, 1), extremeInt),
        timeoutMs: fc.oneof(fc.integer({ min: 0, max: 2000 }), extremeInt),
        data: anyScalar,
        topic: topicName,
        partition,
      })
      .map(({ acks, timeoutMs, data, topic, partition: p }) => {
        // Frames that name a read-only topic carry garbage only, so that topic's log stays as it was.
        const frame =
          Buffer.isBuffer(data) &&
          typeof p === 'number' &&
          Number.isInteger(p) &&
          Math.abs(p) < 2 ** 31 &&
          Buffer.byteLength(topic) > 0 &&
          Buffer.byteLength(topic) < 0x7fff
            ? encodeProduceEntries([{ topic, partition: p, batches: Buffer.concat([Buffer.alloc(3), data]) }])
            : data;
        return { event: Events.produce, payload: { acks, timeoutMs, data: frame }, strategy: 'produce-random' };
      });
    const anything = fc
      .tuple(fc.oneof(fc.constantFrom(...EVENTS), fc.string({ maxLength: 12 })), fc.oneof(anyScalar, fc.anything({ maxDepth: 3 })))
      .map(([event, payload]) => ({ event, payload, strategy: 'random' }));
    const mutatedField = fc
      .tuple(fc.oneof(readTemplates, groupTemplates, createTemplates, adminTemplates), fc.nat(), anyScalar)
      .map(([r, pick, value]) => ({ event: r.event, payload: mutateField(r.payload, pick, value), strategy: 'mutated-field' }));

    this.arbitrary = fc.oneof(
      { arbitrary: readTemplates, weight: 4 },
      { arbitrary: groupTemplates, weight: 2 },
      { arbitrary: createTemplates, weight: 1 },
      { arbitrary: adminTemplates, weight: 1 },
      { arbitrary: produceMutated, weight: 4 },
      { arbitrary: produceRandom, weight: 2 },
      { arbitrary: mutatedField, weight: 4 },
      { arbitrary: anything, weight: 2 },
    );
  }

  /** `count` requests from `seed`; the same seed always gives the same requests. */
  sample(count: number, seed: number): FuzzRequest[] {
    return fc.sample(this.arbitrary, { numRuns: count, seed });
  }
}

function req(event: string, payload: unknown): FuzzRequest {
  return { event, payload, strategy: 'template' };
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Replaces one field, found by a walk over the payload's fields, with `value`. */
function mutateField(payload: unknown, pick: number, value: unknown): unknown {
  const copy = structuredClone<unknown>(payload);
  const slots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((v, i) => (slots.push({ parent: node, key: i }), walk(v)));
    else if (node && typeof node === 'object' && !Buffer.isBuffer(node)) {
      for (const [k, v] of Object.entries(node)) {
        slots.push({ parent: node as Record<string, unknown>, key: k });
        walk(v);
      }
    }
  };
  walk(copy);
  if (slots.length === 0) return value;
  const slot = slots[pick % slots.length];
  (slot.parent as Record<string | number, unknown>)[slot.key] = value;
  return copy;
}
