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

  it('validates its options once, at construction, with a message naming the option', () => {
    const invalid = (config: unknown): client.InvalidConfigError => {
      try {
        new client.Tributary(config as client.TributaryConfig);
      } catch (err) {
        expect(err).toBeInstanceOf(client.InvalidConfigError);
        return err as client.InvalidConfigError;
      }
      throw new Error('expected the constructor to throw');
    };
    expect(invalid({ brokers: 'localhost:9092' }).message).toMatch(/^brokers must be a non-empty list/);
    expect(invalid({ brokers: [9092] }).message).toBe('brokers[0] must be a string, got 9092');
    expect(invalid({ brokers: ['localhost:9092', 'http://b2:9092'] }).message).toMatch(
      /'http:\/\/b2:9092' is not a broker address: scheme 'http:\/\/' is not supported/,
    );
    expect(invalid({ brokers: ['b1:1'], requestTimeoutMs: 0 })).toMatchObject({
      option: 'requestTimeoutMs',
      message: 'requestTimeoutMs must be an integer from 1 to 2147483647, got 0',
    });
    expect(invalid({ brokers: ['b1:1'], requestTimeoutMs: 3e9 }).option).toBe('requestTimeoutMs');
    expect(invalid({ brokers: ['b1:1'], connectionTimeoutMs: '5000' })).toMatchObject({
      option: 'connectionTimeoutMs',
      message: expect.stringContaining("got '5000'"),
    });
    expect(invalid({ brokers: ['b1:1'], metadataMaxAgeMs: Number.NaN }).option).toBe('metadataMaxAgeMs');
    expect(invalid({ brokers: ['b1:1'], clientId: '' }).option).toBe('clientId');
    expect(invalid({ brokers: ['b1:1'], logLevel: 3 }).option).toBe('logLevel');
    expect(invalid({ brokers: ['b1:1'], retry: { retries: -1 } }).option).toBe('retry.retries');
    expect(invalid({ brokers: ['b1:1'], retry: { factor: 2 } }).option).toBe('retry.factor');
    expect(invalid({ brokers: ['wss://b1:1'], tls: { ca: '/etc/ssl/ca.pem' } })).toMatchObject({
      option: 'tls',
      message: expect.stringMatching(/tls.ca must be PEM text/),
    });
    const pem = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n';
    expect(invalid({ brokers: ['wss://b1:1'], tls: { ca: pem, cert: pem } }).message).toBe('tls.cert and tls.key go together');
    expect(invalid({ brokers: ['wss://b1:1'], tls: { rejectUnauthorized: 'no' } }).option).toBe('tls');
    expect(() => new client.Tributary({ brokers: ['wss://b1:1'], tls: { ca: [pem, pem], cert: pem, key: pem, rejectUnauthorized: true } })).not.toThrow();
    const tributary = new client.Tributary({ brokers: ['b1:1'] });
    expect(() => tributary.producer({ retry: { retries: 1.5 } })).toThrow(/producer retry.retries must be an integer/);
  });

  it('accepts host:port bootstrap addresses and connects through them', async () => {
    const hostPort = fake.urls[0].replace('ws://', '');
    const admin = new client.Tributary({ brokers: [hostPort], logLevel: client.LogLevel.NOTHING }).admin();
    expect((await admin.describeCluster()).brokers.map((b) => b.id)).toEqual([1]);
    await admin.disconnect();
  });

  it('creates a topic, produces and consumes through the public API only', async () => {
    const tributary = new client.Tributary({ brokers: fake.urls, clientId: 'spec', logLevel: client.LogLevel.NOTHING, retry: { initialRetryTime: 10 } });
    const admin = tributary.admin();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2, replicationFactor: 1 }] });

    const producer = tributary.producer({ acks: 1, lingerMs: 1 });
    const sent = await producer.send({
      topic: 'orders',
      messages: [
        { key: 'k', value: 'v1' },
        { key: 'k', value: 'v2' },
      ],
    });
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

  it('disconnect() closes every producer, consumer and admin it made', async () => {
    const tributary = new client.Tributary({ brokers: fake.urls });
    fake.createTopic('t', 1);
    const admin = tributary.admin();
    await admin.connect();
    const producer = tributary.producer({ acks: 1 });
    await producer.send({ topic: 't', messages: [{ value: 'x' }] });
    const broker = fake.brokers[0];
    await waitFor(() => broker.openConnections() >= 2);
    await tributary.disconnect();
    await waitFor(() => broker.openConnections() === 0);
    expect(broker.openConnections()).toBe(0);
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
