import { Buffer } from 'buffer';
import * as client from './index';
import { FakeCluster } from './testing/fake-broker';
import { waitFor } from './testing/helpers';

describe('Tributary (entry point)', () => {
  let fake: FakeCluster;

  beforeEach(async () => {
    fake = await FakeCluster.start(1);
  });

  afterEach(() => fake.stop());

  it('refuses a config without brokers', () => {
    expect(() => new client.Tributary({ brokers: [] })).toThrow(client.TributaryError);
  });

  it('creates a topic, produces and consumes through the public API only', async () => {
    const tributary = new client.Tributary({ brokers: fake.urls, clientId: 'spec', logLevel: client.LogLevel.NOTHING, retry: { initialRetryTime: 10 } });
    const admin = tributary.admin();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2, replicationFactor: 1 }] });

    const producer = tributary.producer({ acks: 1, lingerMs: 1 });
    const sent = await producer.send({ topic: 'orders', messages: [{ key: 'k', value: 'v1' }, { key: 'k', value: 'v2' }] });
    expect(sent).toHaveLength(1);
    const { partition } = sent[0];

    const consumer = tributary.consumer({ maxWaitMs: 50 });
    const values: string[] = [];
    consumer.assign([{ topic: 'orders', partition, offset: 0 }]);
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? '') });
    await waitFor(() => values.length === 2);
    expect(values).toEqual(['v1', 'v2']);
    expect(Buffer.isBuffer(Buffer.from(values[0]))).toBe(true);

    await Promise.all([producer.disconnect(), consumer.disconnect(), admin.disconnect()]);
  });

  it('exports the error classes with code, type and retriable', () => {
    const err = new client.ConnectionError('ws://x', 'lost');
    expect(err).toBeInstanceOf(client.TributaryError);
    expect(err.type).toBe('NETWORK_EXCEPTION');
    expect(err.retriable).toBe(true);
    expect(client.ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
    expect(client.isRetriable(client.ErrorCode.TOPIC_ALREADY_EXISTS)).toBe(false);
  });
});
