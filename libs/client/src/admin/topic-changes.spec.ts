import { Buffer } from 'buffer';
import { encodeRecordBatch, ErrorCode } from '@tributary/protocol';
import { TopicError } from '../errors';
import { FakeCluster } from '../testing/fake-broker';
import { quietLogger, testCluster } from '../testing/helpers';
import { Admin } from './admin';

describe('Admin: configs, partitions and records of a live topic (fake cluster)', () => {
  let fake: FakeCluster;
  let admin: Admin;

  beforeEach(async () => {
    fake = await FakeCluster.start(2);
    admin = new Admin({ cluster: testCluster(fake.urls), logger: quietLogger });
  });

  afterEach(async () => {
    await admin.disconnect();
    await fake.stop();
  });

  it('alters configs (set and delete) and describes them with their source', async () => {
    fake.createTopic('t', 1, 1, { 'retention.ms': '1000', 'segment.ms': '5000' });
    await admin.alterConfigs({ topics: [{ topic: 't', set: { 'retention.bytes': '42' }, delete: ['segment.ms'] }] });
    expect(fake.requests.find((r) => r.event === 'alterConfigs')?.payload).toEqual({
      topics: [{ name: 't', set: { 'retention.bytes': '42' }, delete: ['segment.ms'] }],
      validateOnly: false,
    });
    const [t] = (await admin.describeConfigs({ topics: ['t'] })).topics;
    expect(t.configs.filter((c) => c.source === 'topic').map((c) => `${c.name}=${c.value}`)).toEqual(['retention.bytes=42', 'retention.ms=1000']);
    await expect(admin.alterConfigs({ topics: [{ topic: 't', set: { 'retention.ms': 'x' } }] })).rejects.toMatchObject({
      code: ErrorCode.INVALID_CONFIG,
      topic: 't',
    });
    await expect(admin.describeConfigs({ topics: ['nope'] })).rejects.toBeInstanceOf(TopicError);
  });

  it('grows a topic and waits until metadata shows the new partitions led', async () => {
    fake.createTopic('t', 2);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 't', count: 4 }] })).resolves.toBe(true);
    expect((await admin.fetchTopicMetadata({ topics: ['t'] })).topics[0].partitions).toHaveLength(4);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 't', count: 4 }] })).rejects.toMatchObject({ code: ErrorCode.INVALID_PARTITIONS });
  });

  it('deletes records on each partition’s leader and answers the low watermarks', async () => {
    fake.createTopic('t', 2, 1);
    fake.setLeader('t', 1, 2);
    for (let i = 0; i < 3; i++) {
      for (const p of [0, 1]) fake.append('t', p, encodeRecordBatch([{ key: null, value: Buffer.from(`v${i}`), timestamp: Date.now() }]));
    }
    const result = await admin.deleteRecords({
      topic: 't',
      partitions: [
        { partition: 0, offset: 2 },
        { partition: 1, offset: -1 },
      ],
    });
    expect(result).toEqual([
      { partition: 0, lowWatermark: 2 },
      { partition: 1, lowWatermark: 3 },
    ]);
    expect(
      fake.requests
        .filter((r) => r.event === 'deleteRecords')
        .map((r) => r.brokerId)
        .sort(),
    ).toEqual([1, 2]);
    expect((await admin.fetchTopicOffsets('t')).map((o) => o.low)).toEqual([2, 3]);
    await expect(admin.deleteRecords({ topic: 't', partitions: [{ partition: 0, offset: 9 }] })).rejects.toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE });
  });
});
