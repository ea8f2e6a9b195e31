import { Buffer } from 'buffer';
import { encodeRecordBatch, ErrorCode } from '@tributary/protocol';
import { AggregateTopicError, RequestTimeoutError, TopicError } from '../errors';
import { FakeCluster } from '../testing/fake-broker';
import { quietLogger, testCluster } from '../testing/helpers';
import { Admin } from './admin';

describe('Admin against a fake cluster', () => {
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

  it('creates topics (sending configs), waits for leaders, and lists them', async () => {
    const created = await admin.createTopics({
      topics: [{ topic: 'payments', numPartitions: 3, replicationFactor: 2, configEntries: [{ name: 'retention.ms', value: '1000' }] }],
    });
    expect(created).toBe(true);
    expect(fake.requests.find((r) => r.event === 'createTopics')?.payload).toEqual({
      topics: [{ name: 'payments', numPartitions: 3, replicationFactor: 2, configs: { 'retention.ms': '1000' } }],
      validateOnly: false,
    });
    expect(await admin.listTopics()).toEqual(['payments']);
  });

  it('validateOnly creates nothing', async () => {
    await expect(admin.createTopics({ topics: [{ topic: 'dry', numPartitions: 1, replicationFactor: 1 }], validateOnly: true })).resolves.toBe(true);
    expect(fake.topics.has('dry')).toBe(false);
  });

  it('throws typed per-topic errors: TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, several at once', async () => {
    fake.createTopic('taken', 1);
    const exists = (await admin.createTopics({ topics: [{ topic: 'taken', numPartitions: 1, replicationFactor: 1 }] }).catch((e: unknown) => e)) as TopicError;
    expect(exists).toBeInstanceOf(TopicError);
    expect(exists.type).toBe('TOPIC_ALREADY_EXISTS');
    expect(exists.topic).toBe('taken');

    const invalid = (await admin
      .createTopics({ topics: [{ topic: 'bad/name', numPartitions: 1, replicationFactor: 1 }] })
      .catch((e: unknown) => e)) as TopicError;
    expect(invalid.type).toBe('INVALID_TOPIC_EXCEPTION');

    const both = (await admin
      .createTopics({
        topics: [
          { topic: 'taken', numPartitions: 1, replicationFactor: 1 },
          { topic: 'fine', numPartitions: 1, replicationFactor: 1 },
          { topic: 'tooMany', numPartitions: 1, replicationFactor: 5 },
        ],
      })
      .catch((e: unknown) => e)) as AggregateTopicError;
    expect(both).toBeInstanceOf(AggregateTopicError);
    expect(both.errors.map((e) => [e.topic, e.type])).toEqual([
      ['taken', 'TOPIC_ALREADY_EXISTS'],
      ['tooMany', 'INVALID_REPLICATION_FACTOR'],
    ]);
    expect(fake.topics.has('fine')).toBe(true);
  });

  it('describes the cluster and topic partitions', async () => {
    fake.createTopic('t', 2, 1);
    fake.setLeader('t', 1, 2);
    const description = await admin.describeCluster();
    expect(description.clusterId).toBe('fake-cluster');
    expect(description.controller).toBe(1);
    expect(description.brokers.map((b) => [b.id, b.url])).toEqual(fake.brokers.map((b) => [b.id, b.url]));
    const { topics } = await admin.fetchTopicMetadata({ topics: ['t'] });
    expect(topics).toEqual([
      {
        name: 't',
        topicId: fake.topicIds.get('t'),
        configs: {},
        partitions: [
          { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1], errorCode: 0 },
          { partition: 1, leader: 2, leaderEpoch: 1, replicas: [2], isr: [2], errorCode: 0 },
        ],
      },
    ]);
    expect((await admin.fetchTopicMetadata()).topics.map((t) => t.name)).toEqual(['t']);
    await expect(admin.fetchTopicMetadata({ topics: ['ghost'] })).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  });

  it('fetches low/high offsets and offsets by timestamp from each partition leader', async () => {
    fake.createTopic('t', 2, 1);
    fake.setLeader('t', 1, 2);
    const rec = (v: string, timestamp: number) => ({ key: null, value: Buffer.from(v), timestamp });
    fake.append('t', 0, encodeRecordBatch([rec('a', 100), rec('b', 200)]));
    fake.append('t', 0, encodeRecordBatch([rec('c', 300)]));
    fake.truncateBefore('t', 0, 2);
    fake.append('t', 1, encodeRecordBatch([rec('x', 150)]));

    expect(await admin.fetchTopicOffsets('t')).toEqual([
      { partition: 0, offset: 3, high: 3, low: 2 },
      { partition: 1, offset: 1, high: 1, low: 0 },
    ]);
    // partition 1 has nothing at or after 250: the end of its log, like KafkaJS
    expect(await admin.fetchTopicOffsetsByTimestamp('t', 250)).toEqual([
      { partition: 0, offset: 2 },
      { partition: 1, offset: 1 },
    ]);
    expect(fake.countRequests('listOffsets', 2)).toBeGreaterThan(0);
  });

  it('deletes topics: per-topic results with the incarnation id and the deletion job, which it can wait for', async () => {
    fake.createTopic('old', 1);
    const topicId = fake.topicIds.get('old');
    const [deleted] = await admin.deleteTopics({ topics: ['old'], wait: true });
    expect(deleted).toEqual({ topic: 'old', topicId, jobId: `deleteTopic-${topicId}` });
    expect(fake.topics.has('old')).toBe(false);
    await expect(admin.deleteTopics({ topics: ['old'] })).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topic: 'old' });
    const job = await admin.describeJob(deleted.jobId!);
    expect(job).toMatchObject({ type: 'deleteTopic', state: 'completed', progress: { done: 4, total: 4 } });
    expect((await admin.listJobs()).map((j) => j.id)).toEqual([deleted.jobId]);
    await expect(admin.describeJob('no-such-job')).rejects.toMatchObject({ code: ErrorCode.JOB_NOT_FOUND });
  });

  it('fails a request the broker never answers with RequestTimeoutError within requestTimeoutMs, without retrying it', async () => {
    // a hung broker takes the event in and never answers
    fake.unanswered.add('deleteTopics');
    fake.createTopic('old', 1);
    const quick = new Admin({ cluster: testCluster(fake.urls, { requestTimeoutMs: 300 }), logger: quietLogger });
    await quick.connect();
    const started = Date.now();
    const err = (await quick.deleteTopics({ topics: ['old'] }).catch((e: unknown) => e)) as RequestTimeoutError;
    const took = Date.now() - started;
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(err.retriable).toBe(true);
    expect(err.event).toBe('deleteTopics');
    expect(err.message).toMatch(/^deleteTopics request to ws:\/\/127\.0\.0\.1:\d+ timed out after 300 ms$/);
    expect(took).toBeGreaterThanOrEqual(290);
    // the margin is for a loaded machine; a retry is caught by the request count below
    expect(took).toBeLessThan(3000);
    expect(fake.countRequests('deleteTopics')).toBe(1);
    await quick.disconnect();
  });
});
