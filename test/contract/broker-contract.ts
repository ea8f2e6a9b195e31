/**
 * The broker contract: what a broker answers on the wire, asserted the same way against the
 * SDK's fake broker (libs/client/src/testing/fake-broker.contract.spec.ts) and a real one-broker
 * cluster (test/contract.e2e.ts), so the fake the client's specs rely on cannot drift from the
 * real thing. Each case uses its own topic; answers are compared by error code and by the
 * values a client acts on.
 */
import { Buffer } from 'buffer';
import { groupContract } from './group-contract';
import { Wire, type ContractCase, type ContractOptions, type ContractTarget } from './contract-wire';
import {
  decodeRecordBatches,
  EARLIEST_TIMESTAMP,
  encodeProduceEntries,
  encodeRecordBatch,
  ErrorCode,
  LATEST_TIMESTAMP,
  TOPIC_CONFIG_KEYS,
  type AlterConfigsResponse,
  type CreatePartitionsResponse,
  type CreateTopicsResponse,
  type DeleteRecordsResponse,
  type DeleteTopicsResponse,
  type DescribeConfigsResponse,
  type FetchResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '@tributary/protocol';

/** Registers the contract's tests in the calling describe block; `target` is read once the suite runs (after beforeAll). */
export type { ContractCase, ContractOptions, ContractTarget };

export function brokerContract(target: () => ContractTarget, options: ContractOptions = {}): void {
  let wire: Wire;
  let seq = 0;
  const topicName = (label: string) => `contract-${label}-${Date.now()}-${seq++}`;

  const test = (name: ContractCase, title: string, fn: () => Promise<void>): void => {
    const pending = options.pending?.[name];
    if (pending) it.skip(`${title} [pending: ${pending}]`, fn);
    else it(title, fn);
  };

  beforeAll(async () => {
    wire = await Wire.connect(target().url);
  });

  afterAll(() => wire?.close());

  const createTopic = async (name: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<void> => {
    const r = await wire.request<CreateTopicsResponse>('createTopics', { topics: [{ name, numPartitions, replicationFactor: 1, configs }] });
    expect(r.topics).toEqual([{ name, errorCode: ErrorCode.NONE }]);
  };

  const produce = async (topic: string, partition: number, values: string[]): Promise<ProduceResponse> => {
    const batches = encodeRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: Date.now() })));
    return wire.request<ProduceResponse>('produce', { acks: -1, timeoutMs: 5000, data: encodeProduceEntries([{ topic, partition, batches }]) });
  };

  const fetchFrom = (topic: string, partition: number, fetchOffset: number) =>
    wire.request<FetchResponse>('fetch', {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1024 * 1024,
      partitions: [{ topic, partition, fetchOffset, partitionMaxBytes: 1024 * 1024 }],
    });

  const listOffset = async (topic: string, partition: number, timestamp: number) =>
    (await wire.request<ListOffsetsResponse>('listOffsets', { partitions: [{ topic, partition, timestamp }] })).partitions[0];

  const configOf = async (topic: string, key: string) => {
    const r = await wire.request<DescribeConfigsResponse>('describeConfigs', { topics: [topic] });
    return r.topics[0].configs.find((c) => c.name === key);
  };

  test('createTopics', 'createTopics: creates, then refuses a taken, invalid or impossible topic with Kafka’s codes', async () => {
    const name = topicName('create');
    await createTopic(name, 2);
    const again = await wire.request<CreateTopicsResponse>('createTopics', {
      topics: [
        { name, numPartitions: 1, replicationFactor: 1 },
        { name: `${name}-zero`, numPartitions: 0, replicationFactor: 1 },
        { name: `${name}-rf`, numPartitions: 1, replicationFactor: 2 },
        { name: 'bad name!', numPartitions: 1, replicationFactor: 1 },
        { name: '__reserved', numPartitions: 1, replicationFactor: 1 },
        { name: `${name}-cfg`, numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': 'soon' } },
      ],
    });
    expect(again.topics.map((t) => [t.name, t.errorCode])).toEqual([
      [name, ErrorCode.TOPIC_ALREADY_EXISTS],
      [`${name}-zero`, ErrorCode.INVALID_PARTITIONS],
      [`${name}-rf`, ErrorCode.INVALID_REPLICATION_FACTOR],
      ['bad name!', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['__reserved', ErrorCode.INVALID_TOPIC_EXCEPTION],
      [`${name}-cfg`, ErrorCode.INVALID_CONFIG],
    ]);
    const dry = topicName('dry');
    const validate = await wire.request<CreateTopicsResponse>('createTopics', {
      topics: [{ name: dry, numPartitions: 1, replicationFactor: 1 }],
      validateOnly: true,
    });
    expect(validate.topics[0].errorCode).toBe(ErrorCode.NONE);
    const meta = await wire.request<MetadataResponse>('metadata', { topics: [dry] });
    expect(meta.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('metadata', 'metadata: brokers, the topic’s partitions led by the broker, its configs; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const name = topicName('meta');
    await createTopic(name, 3, { 'retention.ms': '600000' });
    const { brokerId } = target();
    const meta = await wire.request<MetadataResponse>('metadata', { topics: [name, `${name}-missing`] });
    expect(meta.errorCode).toBe(ErrorCode.NONE);
    expect(meta.controllerId).toBe(brokerId);
    expect(meta.brokers.map((b) => b.id)).toEqual([brokerId]);
    const [t, missing] = meta.topics;
    expect(t.errorCode).toBe(ErrorCode.NONE);
    expect(t.configs).toEqual({ 'retention.ms': '600000' });
    expect(t.partitions.map((p) => [p.partition, p.errorCode, p.leader, p.replicas, p.isr])).toEqual(
      [0, 1, 2].map((p) => [p, ErrorCode.NONE, brokerId, [brokerId], [brokerId]]),
    );
    expect(missing).toMatchObject({ name: `${name}-missing`, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] });
  });

  test('produce', 'produce: offsets follow on from each other; an unknown partition or an oversized batch is refused', async () => {
    const name = topicName('produce');
    await createTopic(name, 1, { 'max.message.bytes': '200' });
    const first = await produce(name, 0, ['a', 'b']);
    expect(first.partitions).toEqual([{ topic: name, partition: 0, errorCode: ErrorCode.NONE, baseOffset: 0, logStartOffset: 0 }]);
    const second = await produce(name, 0, ['c']);
    expect(second.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    expect((await produce(name, 5, ['x'])).partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await produce(`${name}-missing`, 0, ['x'])).partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await produce(name, 0, ['x'.repeat(500)])).partitions[0].errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  test('fetch', 'fetch: committed records from an offset, the watermarks, and OFFSET_OUT_OF_RANGE past the end', async () => {
    const name = topicName('fetch');
    await createTopic(name);
    await produce(name, 0, ['a', 'b', 'c']);
    const r = await fetchFrom(name, 0, 1);
    expect(r.partitions[0]).toMatchObject({ topic: name, partition: 0, errorCode: ErrorCode.NONE, highWatermark: 3, logStartOffset: 0 });
    const records = decodeRecordBatches(Buffer.from(r.records).subarray(0, r.partitions[0].byteLength));
    // whole batches: the one holding offset 1 starts at 0
    expect(records.filter((x) => x.offset >= 1).map((x) => x.value?.toString())).toEqual(['b', 'c']);
    const atEnd = await fetchFrom(name, 0, 3);
    expect(atEnd.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, byteLength: 0, highWatermark: 3 });
    expect((await fetchFrom(name, 0, 4)).partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect((await fetchFrom(name, 1, 0)).partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('listOffsets', 'listOffsets: earliest, latest, by timestamp, and unknown partitions', async () => {
    const name = topicName('offsets');
    await createTopic(name);
    const before = Date.now() - 1;
    await produce(name, 0, ['a']);
    await produce(name, 0, ['b']);
    expect(await listOffset(name, 0, EARLIEST_TIMESTAMP)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 0 });
    expect(await listOffset(name, 0, LATEST_TIMESTAMP)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 2 });
    expect(await listOffset(name, 0, before)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 0 });
    expect(await listOffset(name, 0, Date.now() + 3_600_000)).toMatchObject({ errorCode: ErrorCode.NONE, offset: -1 });
    expect((await listOffset(name, 3, LATEST_TIMESTAMP)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('configs', 'describeConfigs/alterConfigs: every config with its source; a bad entry is INVALID_CONFIG and changes nothing', async () => {
    const name = topicName('configs');
    await createTopic(name, 1, { 'retention.ms': '600000' });
    const described = await wire.request<DescribeConfigsResponse>('describeConfigs', { topics: [name, `${name}-missing`] });
    expect(described.topics[0].configs.map((c) => c.name)).toEqual([...TOPIC_CONFIG_KEYS]);
    expect(await configOf(name, 'retention.ms')).toEqual({ name: 'retention.ms', value: '600000', source: 'topic', isDefault: false });
    expect(await configOf(name, 'max.message.bytes')).toMatchObject({ source: 'default', isDefault: true });
    expect(described.topics[1]).toMatchObject({ name: `${name}-missing`, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, configs: [] });

    const bad = await wire.request<AlterConfigsResponse>('alterConfigs', {
      topics: [{ name, set: { 'retention.bytes': '1000', 'segment.bytes': 'big' } }],
    });
    expect(bad.topics[0].errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad.topics[0].errorMessage).toContain('segment.bytes');
    expect(await configOf(name, 'retention.bytes')).toMatchObject({ source: 'default' });
    const unknown = await wire.request<AlterConfigsResponse>('alterConfigs', { topics: [{ name, set: { 'retention.msec': '1' } }] });
    expect(unknown.topics[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG });
    expect(unknown.topics[0].errorMessage).toContain('retention.msec');

    const ok = await wire.request<AlterConfigsResponse>('alterConfigs', {
      topics: [
        { name, set: { 'retention.bytes': '1000' }, delete: ['retention.ms'] },
        { name: `${name}-missing`, set: { 'retention.ms': '1' } },
      ],
    });
    expect(ok.topics.map((t) => [t.name, t.errorCode])).toEqual([
      [name, ErrorCode.NONE],
      [`${name}-missing`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    expect(await configOf(name, 'retention.bytes')).toEqual({ name: 'retention.bytes', value: '1000', source: 'topic', isDefault: false });
    expect(await configOf(name, 'retention.ms')).toMatchObject({ source: 'default', isDefault: true });
    const meta = await wire.request<MetadataResponse>('metadata', { topics: [name] });
    expect(meta.topics[0].configs).toEqual({ 'retention.bytes': '1000' });
  });

  test(
    'createPartitions',
    'createPartitions: grows a topic; a count not larger is INVALID_PARTITIONS; an unknown topic UNKNOWN_TOPIC_OR_PARTITION',
    async () => {
      const name = topicName('grow');
      await createTopic(name, 1);
      const grown = await wire.request<CreatePartitionsResponse>('createPartitions', { topics: [{ name, count: 3 }] });
      expect(grown.topics).toEqual([{ name, errorCode: ErrorCode.NONE }]);
      const meta = await wire.request<MetadataResponse>('metadata', { topics: [name] });
      expect(meta.topics[0].partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
      const refused = await wire.request<CreatePartitionsResponse>('createPartitions', {
        topics: [
          { name, count: 3 },
          { name: `${name}-missing`, count: 2 },
        ],
      });
      expect(refused.topics.map((t) => [t.name, t.errorCode])).toEqual([
        [name, ErrorCode.INVALID_PARTITIONS],
        [`${name}-missing`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
      await waitForLeader(() => produce(name, 2, ['on a new partition']));
    },
  );

  test('deleteRecords', 'deleteRecords: moves the log start offset; reads below it and offsets past the high watermark are OFFSET_OUT_OF_RANGE', async () => {
    const name = topicName('delrec');
    await createTopic(name);
    for (const v of ['a', 'b', 'c', 'd']) await produce(name, 0, [v]);
    const r = await wire.request<DeleteRecordsResponse>('deleteRecords', { partitions: [{ topic: name, partition: 0, offset: 2 }] });
    expect(r.partitions).toEqual([{ topic: name, partition: 0, errorCode: ErrorCode.NONE, lowWatermark: 2 }]);
    expect(await listOffset(name, 0, EARLIEST_TIMESTAMP)).toMatchObject({ offset: 2 });
    expect((await fetchFrom(name, 0, 1)).partitions[0]).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    const read = await fetchFrom(name, 0, 2);
    expect(read.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, logStartOffset: 2 });
    expect(decodeRecordBatches(Buffer.from(read.records).subarray(0, read.partitions[0].byteLength)).map((x) => x.value?.toString())).toEqual(['c', 'd']);
    const lower = await wire.request<DeleteRecordsResponse>('deleteRecords', { partitions: [{ topic: name, partition: 0, offset: 1 }] });
    expect(lower.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, lowWatermark: 2 });
    const past = await wire.request<DeleteRecordsResponse>('deleteRecords', {
      partitions: [
        { topic: name, partition: 0, offset: 5 },
        { topic: name, partition: 1, offset: 0 },
      ],
    });
    expect(past.partitions.map((p) => [p.partition, p.errorCode, p.lowWatermark])).toEqual([
      [0, ErrorCode.OFFSET_OUT_OF_RANGE, -1],
      [1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
    ]);
    const toEnd = await wire.request<DeleteRecordsResponse>('deleteRecords', { partitions: [{ topic: name, partition: 0, offset: -1 }] });
    expect(toEnd.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, lowWatermark: 4 });
  });

  test('deleteTopics', 'deleteTopics: the topic leaves metadata; an unknown one is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const name = topicName('delete');
    await createTopic(name);
    const r = await wire.request<DeleteTopicsResponse>('deleteTopics', { topics: [name, `${name}-missing`] });
    expect(r.topics.map((t) => [t.name, t.errorCode])).toEqual([
      [name, ErrorCode.NONE],
      [`${name}-missing`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const meta = await wire.request<MetadataResponse>('metadata', { topics: [name] });
    expect(meta.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  groupContract({ wire: () => wire, target, test, topicName, createTopic: (name, partitions) => createTopic(name, partitions) });
}

/** A new partition's leader may take a moment to claim its epoch: retries the produce on retriable codes. */
async function waitForLeader(send: () => Promise<ProduceResponse>): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const code = (await send()).partitions[0].errorCode;
    if (code === ErrorCode.NONE) return;
    if (Date.now() > deadline || (code !== ErrorCode.NOT_LEADER_OR_FOLLOWER && code !== ErrorCode.LEADER_NOT_AVAILABLE)) {
      throw new Error(`produce to the new partition answered ${code}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
