import { Buffer } from 'buffer';
import {
  encodeProduceEntries,
  encodeRecordBatch,
  ErrorCode,
  decodeRecordBatches,
  type ProduceResponse,
  type FetchResponse,
  type CreateTopicsResponse,
  type ListOffsetsResponse,
  BatchLayout,
} from '@tributary/protocol';
import { RawSocket } from './support/raw-socket';
import { TestCluster } from './support/test-cluster';
import { waitFor } from './support/free-port';

/**
 * Bad input answers with an error code, never crashes the broker, and never touches the log.
 * Talks raw socket.io to one broker, so it can send what the SDK would refuse to build.
 */
jest.setTimeout(180_000);

describe('bad input (one real broker)', () => {
  let cluster: TestCluster;
  let sock: RawSocket;
  const topic = 'bad-input';

  const batch = (value: string | Buffer) =>
    encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.isBuffer(value) ? value : Buffer.from(value), timestamp: Date.now() }]);
  const produce = (entries: { topic: string; partition: number; batches: Buffer }[], acks: number = 1) =>
    sock.request<ProduceResponse>('produce', { acks, timeoutMs: 5000, data: encodeProduceEntries(entries) });
  const codeOf = async (p: Promise<ProduceResponse>) => {
    const r = await p;
    return r.errorCode !== ErrorCode.NONE ? r.errorCode : r.partitions[0].errorCode;
  };

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1 });
    sock = await RawSocket.connect(cluster.brokers[0].url);
    await waitFor('controller', async () => (await sock.request<{ controllerId: number }>('metadata', {})).controllerId === 1);
    const created = await sock.request<CreateTopicsResponse>('createTopics', {
      topics: [
        { name: topic, numPartitions: 2, replicationFactor: 1, configs: { 'max.message.bytes': '2000' } },
        { name: 'strict', numPartitions: 1, replicationFactor: 1, configs: { 'min.insync.replicas': '2' } },
      ],
    });
    expect(created.topics.map((t) => t.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
  });

  afterAll(async () => {
    sock?.close();
    await cluster?.stop();
  });

  it('answers every bad request with its error code and keeps the log untouched', async () => {
    // One good record first, so "untouched" has something to compare against.
    const good = await produce([{ topic, partition: 0, batches: batch('good') }]);
    expect(good.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });

    expect(await codeOf(produce([{ topic: 'no-such-topic', partition: 0, batches: batch('x') }]))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await codeOf(produce([{ topic: 'bad name!', partition: 0, batches: batch('x') }]))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await codeOf(produce([{ topic, partition: 2, batches: batch('x') }]))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await codeOf(produce([{ topic, partition: -1, batches: batch('x') }]))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await codeOf(produce([{ topic, partition: 0, batches: batch(Buffer.alloc(5000, 1)) }]))).toBe(ErrorCode.MESSAGE_TOO_LARGE);

    const corrupt = batch('flip');
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(await codeOf(produce([{ topic, partition: 0, batches: corrupt }]))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(await codeOf(produce([{ topic, partition: 0, batches: Buffer.from('definitely not a record batch at all, not even close......') }]))).toBe(
      ErrorCode.CORRUPT_MESSAGE,
    );
    const truncated = batch('truncated');
    expect(await codeOf(produce([{ topic, partition: 0, batches: truncated.subarray(0, truncated.length - 4) }]))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // A good batch followed by a bad one in the same request: nothing of it may be written.
    expect(await codeOf(produce([{ topic, partition: 0, batches: Buffer.concat([batch('half'), corrupt]) }]))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const wrongMagic = batch('magic');
    wrongMagic.writeInt8(1, BatchLayout.MAGIC);
    expect(await codeOf(produce([{ topic, partition: 0, batches: wrongMagic }]))).toBe(ErrorCode.CORRUPT_MESSAGE);

    // acks=all below min.insync.replicas is refused before the append; acks=1 is not.
    const strict = (acks: number) => produce([{ topic: 'strict', partition: 0, batches: batch('s') }], acks);
    expect(await codeOf(strict(-1))).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect((await strict(1)).partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });

    // Malformed requests and missing fields.
    const invalid = [
      sock.request<ProduceResponse>('produce', { acks: 1, timeoutMs: 1000 }),
      sock.request<ProduceResponse>('produce', { acks: 7, timeoutMs: 1000, data: encodeProduceEntries([{ topic, partition: 0, batches: batch('x') }]) }),
      sock.request<ProduceResponse>('produce', { acks: 1, timeoutMs: 1000, data: 'not binary' }),
      sock.request<ProduceResponse>('produce', { acks: 1, timeoutMs: 1000, data: Buffer.from([0, 5, 1, 2]) }),
      sock.request<ProduceResponse>('produce', null),
      sock.request<ProduceResponse>('produce', 'hello'),
      sock.request<FetchResponse>('fetch', { maxWaitMs: 0, minBytes: 1, maxBytes: 100 }),
      sock.request<FetchResponse>('fetch', { maxWaitMs: 0, minBytes: 1, maxBytes: 100, partitions: [{ topic, partition: 0 }] }),
      sock.request<ListOffsetsResponse>('listOffsets', {}),
      sock.request<CreateTopicsResponse>('createTopics', { topics: [{ name: 'x' }] }),
    ];
    for (const r of await Promise.all(invalid)) {
      expect(r.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(typeof r.errorMessage).toBe('string');
    }

    // Bounds every request is checked against before any work (issue 9): a topic-partition
    // listed twice, a long poll over 30 s, over-long names and ids, too many names.
    const fetchPart = { topic, partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 };
    const bounded = await Promise.all([
      produce([
        { topic, partition: 0, batches: batch('twice') },
        { topic, partition: 0, batches: batch('twice') },
      ]),
      sock.request<FetchResponse>('fetch', {
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 0x7fffffff,
        partitions: [fetchPart, { ...fetchPart, partition: 1 }, fetchPart],
      }),
      sock.request<FetchResponse>('fetch', { maxWaitMs: 300_000, minBytes: 1, maxBytes: 100, partitions: [fetchPart] }),
      sock.request<ListOffsetsResponse>('listOffsets', {
        partitions: [
          { topic, partition: 1, timestamp: -1 },
          { topic, partition: 1, timestamp: -2 },
        ],
      }),
      sock.request<{ errorCode: number }>('commitOffsets', {
        groupId: 'g',
        generationId: 1,
        memberId: 'm',
        offsets: [
          { topic, partition: 0, offset: 0 },
          { topic, partition: 0, offset: 0 },
        ],
      }),
      sock.request<{ errorCode: number }>('fetchOffsets', {
        groupId: 'g',
        partitions: [
          { topic, partition: 0 },
          { topic, partition: 0 },
        ],
      }),
      sock.request<{ errorCode: number }>('metadata', { topics: Array.from({ length: 20_000 }, (_, i) => `t${i}`) }),
      sock.request<{ errorCode: number }>('joinGroup', {
        groupId: 'g',
        memberId: '',
        clientId: 'bell\u0007<b>',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        topics: [topic],
        assignors: ['range'],
      }),
    ]);
    for (const r of bounded) expect(r.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    // a request no gateway handles is answered, not left to hold a connection slot forever
    expect((await sock.request<{ errorCode: number }>('noSuchRequest', {})).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await sock.request<{ errorCode: number }>('metadata', { topics: ['n'.repeat(32 * 1024)] })).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect((await sock.request<{ errorCode: number }>('findCoordinator', { groupId: 'g'.repeat(1000) })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);

    // createTopics: per-topic errors.
    const created = await sock.request<CreateTopicsResponse>('createTopics', {
      topics: [
        { name: 'bad/name', numPartitions: 1, replicationFactor: 1 },
        { name: topic, numPartitions: 1, replicationFactor: 1 },
        { name: 'zero-partitions', numPartitions: 0, replicationFactor: 1 },
        { name: 'too-many-replicas', numPartitions: 1, replicationFactor: 3 },
        { name: 'bad-config', numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': 'soon' } },
        { name: 'unknown-config', numPartitions: 1, replicationFactor: 1, configs: { 'retention.msec': '1' } },
        { name: '__consumer_offsets', numPartitions: 1, replicationFactor: 1 },
        { name: 'x_y', numPartitions: 1, replicationFactor: 1 },
        { name: 'x.y', numPartitions: 1, replicationFactor: 1 },
        { name: 'too-big-batches', numPartitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': String(64 * 1024 * 1024) } },
        { name: 'too-many-partitions', numPartitions: 50_000, replicationFactor: 1 },
      ],
    });
    expect(created.topics.map((t) => t.errorCode)).toEqual([
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.TOPIC_ALREADY_EXISTS,
      ErrorCode.INVALID_PARTITIONS,
      ErrorCode.INVALID_REPLICATION_FACTOR,
      ErrorCode.INVALID_CONFIG,
      ErrorCode.INVALID_CONFIG,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.NONE,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.INVALID_CONFIG,
      ErrorCode.POLICY_VIOLATION,
    ]);
    expect(created.topics[8].errorMessage).toContain("'x_y'");
    expect(created.topics[4].errorMessage).toContain('retention.ms');

    // Fetch below/above the log's range.
    const outOfRange = await sock.request<FetchResponse>('fetch', {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      partitions: [{ topic, partition: 0, fetchOffset: 99, partitionMaxBytes: 1 << 20 }],
    });
    expect(outOfRange.partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);

    // The log holds exactly the one good record, and the broker still serves.
    const offsets = await sock.request<ListOffsetsResponse>('listOffsets', {
      partitions: [
        { topic, partition: 0, timestamp: -1 },
        { topic, partition: 1, timestamp: -1 },
      ],
    });
    expect(offsets.partitions.map((p) => p.offset)).toEqual([1, 0]);
    const fetched = await sock.request<FetchResponse>('fetch', {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      partitions: [{ topic, partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }],
    });
    const records = decodeRecordBatches(Buffer.from(fetched.records));
    expect(records.map((r) => r.value?.toString())).toEqual(['good']);
    expect(cluster.brokers[0].running).toBe(true);
  });
});
