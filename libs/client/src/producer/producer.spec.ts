import { Buffer } from 'buffer';
import { ErrorCode, partitionForKey, TributaryError } from '@tributary/protocol';
import { RetriesExhaustedError, TopicError } from '../errors';
import { FakeCluster } from '../testing/fake-broker';
import { fastRetry, quietLogger, testCluster } from '../testing/helpers';
import { resolveRetry } from '../retry/retrier';
import { Producer } from './producer';
import type { ProducerOptions } from './types';

describe('Producer against a fake cluster', () => {
  let fake: FakeCluster;
  const producers: Producer[] = [];

  const producer = (options: ProducerOptions = {}, brokers = fake.urls): Producer => {
    const p = new Producer({ cluster: testCluster(brokers), requestTimeoutMs: 2000, retry: fastRetry, logger: quietLogger }, options);
    producers.push(p);
    return p;
  };

  beforeEach(async () => {
    fake = await FakeCluster.start(2);
    fake.createTopic('orders', 4, 1);
  });

  afterEach(async () => {
    fake.produceHook = null;
    await Promise.all(producers.splice(0).map((p) => p.disconnect().catch(() => undefined)));
    await fake.stop();
  });

  it('sends a keyed record to murmur2(key) % partitions and resolves after the broker acked it', async () => {
    const p = producer();
    const partition = partitionForKey(Buffer.from('c-42'), 4);
    const [meta] = await p.send({ topic: 'orders', messages: [{ key: 'c-42', value: 'hello', headers: { h: 'x' }, timestamp: 1234 }] });
    expect(meta).toEqual({ topic: 'orders', partition, baseOffset: 0, errorCode: 0, logStartOffset: 0 });
    const [rec] = fake.records('orders', partition);
    expect(rec.key?.toString()).toBe('c-42');
    expect(rec.value?.toString()).toBe('hello');
    expect(rec.headers.h.toString()).toBe('x');
    expect(rec.timestamp).toBe(1234);
    // the request says acks=all (-1) by default
    expect(fake.requests.find((r) => r.event === 'produce')?.payload).toMatchObject({ acks: -1 });
  });

  it('lets an explicit partition win over the key, and reports each send its own base offset', async () => {
    const p = producer();
    await p.send({ topic: 'orders', messages: [{ value: 'a', partition: 2 }] });
    const [meta] = await p.send({
      topic: 'orders',
      messages: [
        { key: 'c-42', value: 'b', partition: 2 },
        { value: 'c', partition: 2 },
      ],
    });
    expect(meta).toMatchObject({ partition: 2, baseOffset: 1 });
    expect(fake.values('orders', 2)).toEqual(['a', 'b', 'c']);
  });

  it('batches records of one partition that arrive within lingerMs into one request', async () => {
    const p = producer({ lingerMs: 30 });
    await p.connect();
    const sends = Array.from({ length: 10 }, (_, i) => p.send({ topic: 'orders', messages: [{ value: `m${i}`, partition: 1 }] }));
    const results = await Promise.all(sends);
    expect(fake.countRequests('produce')).toBe(1);
    expect(results.map((r) => r[0].baseOffset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fake.partition('orders', 1).batches).toHaveLength(1);
  });

  it('sends the batches of every partition a broker leads in one request', async () => {
    const p = producer({ lingerMs: 20 });
    await p.send({
      topic: 'orders',
      messages: [0, 1, 2, 3].map((partition) => ({ value: `v${partition}`, partition })),
    });
    expect(fake.countRequests('produce')).toBe(1);
    for (const partition of [0, 1, 2, 3]) expect(fake.values('orders', partition)).toEqual([`v${partition}`]);
  });

  it('keeps unkeyed records on one sticky partition per batch, then moves on', async () => {
    fake.createTopic('events', 8, 1);
    const p = producer({ lingerMs: 20 });
    const first = await p.send({ topic: 'events', messages: Array.from({ length: 20 }, (_, i) => ({ value: `e${i}` })) });
    expect(first).toHaveLength(1);
    const second = await p.send({ topic: 'events', messages: [{ value: 'next' }] });
    expect(second[0].partition).not.toBe(first[0].partition);
    expect(fake.values('events', first[0].partition)).toHaveLength(20);
  });

  it('on NOT_LEADER_OR_FOLLOWER refreshes metadata and retries at the new leader', async () => {
    const p = producer({ lingerMs: 0 });
    await p.send({ topic: 'orders', messages: [{ value: 'before', partition: 0 }] });
    fake.setLeader('orders', 0, 2);
    const metadataBefore = fake.countRequests('metadata');
    const [meta] = await p.send({ topic: 'orders', messages: [{ value: 'after', partition: 0 }] });
    expect(meta.baseOffset).toBe(1);
    expect(fake.values('orders', 0)).toEqual(['before', 'after']);
    expect(fake.countRequests('produce', 1)).toBe(2);
    expect(fake.countRequests('produce', 2)).toBe(1);
    expect(fake.countRequests('metadata')).toBeGreaterThan(metadataBefore);
  });

  it('keeps per-partition order when a batch is retried (one produce in flight per partition)', async () => {
    const p = producer({ lingerMs: 0, batchSize: 1 });
    await p.connect();
    let failed = 0;
    fake.produceHook = (call) => (call.partition === 0 && failed++ < 2 ? ErrorCode.NOT_ENOUGH_REPLICAS : undefined);
    const values = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const results = await Promise.all(values.map((value) => p.send({ topic: 'orders', messages: [{ value, partition: 0 }] })));
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(fake.values('orders', 0)).toEqual(values);
    expect(results.map((r) => r[0].baseOffset)).toEqual(values.map((_, i) => i));
  });

  it('retries after the connection drops mid-request', async () => {
    const p = producer({ lingerMs: 0 });
    await p.connect();
    let dropped = false;
    fake.produceHook = () => {
      if (dropped) return undefined;
      dropped = true;
      return 'drop';
    };
    const [meta] = await p.send({ topic: 'orders', messages: [{ value: 'x', partition: 3 }] });
    expect(dropped).toBe(true);
    expect(meta.baseOffset).toBe(0);
    expect(fake.values('orders', 3)).toEqual(['x']);
  });

  it('rejects with the typed error on a non-retriable answer, without retrying', async () => {
    const p = producer({ lingerMs: 0 });
    fake.produceHook = (call) => (call.partition === 1 ? ErrorCode.MESSAGE_TOO_LARGE : undefined);
    const err = (await p.send({ topic: 'orders', messages: [{ value: 'big', partition: 1 }] }).catch((e: unknown) => e)) as TopicError;
    expect(err).toBeInstanceOf(TopicError);
    expect(err.type).toBe('MESSAGE_TOO_LARGE');
    expect(err.retriable).toBe(false);
    expect([err.topic, err.partition]).toEqual(['orders', 1]);
    expect(fake.countRequests('produce')).toBe(1);
    // other partitions are unaffected
    await expect(p.send({ topic: 'orders', messages: [{ value: 'ok', partition: 2 }] })).resolves.toHaveLength(1);
  });

  it('gives up with RetriesExhaustedError once retries are used up', async () => {
    const p = new Producer(
      { cluster: testCluster(fake.urls), requestTimeoutMs: 2000, retry: resolveRetry({ retries: 2, initialRetryTime: 5 }), logger: quietLogger },
      { lingerMs: 0 },
    );
    producers.push(p);
    fake.produceHook = () => ErrorCode.NOT_ENOUGH_REPLICAS;
    const err = (await p.send({ topic: 'orders', messages: [{ value: 'x', partition: 0 }] }).catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(err.type).toBe('NOT_ENOUGH_REPLICAS');
    expect(err.retryCount).toBe(2);
    expect(fake.countRequests('produce')).toBe(3);
  });

  it('fails an unknown topic with UNKNOWN_TOPIC_OR_PARTITION after one metadata refresh', async () => {
    const p = producer();
    await p.connect();
    const before = fake.countRequests('metadata');
    const err = (await p.send({ topic: 'missing', messages: [{ value: 'x' }] }).catch((e: unknown) => e)) as TopicError;
    expect(err).toBeInstanceOf(TopicError);
    expect(err.code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(fake.countRequests('metadata') - before).toBe(1);
    expect(fake.countRequests('produce')).toBe(0);
  });

  it('fails a partition that does not exist, and an invalid topic name, before sending anything', async () => {
    const p = producer();
    await expect(
      p.send({
        topic: 'orders',
        messages: [
          { value: 'ok', partition: 0 },
          { value: 'x', partition: 4 },
        ],
      }),
    ).rejects.toMatchObject({
      code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      partition: 4,
    });
    await expect(p.send({ topic: 'no spaces', messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: ErrorCode.INVALID_TOPIC_EXCEPTION });
    expect(fake.countRequests('produce')).toBe(0);
  });

  it('with acks 0 resolves once sent, with baseOffset -1', async () => {
    const p = producer({ acks: 0, lingerMs: 0 });
    const [meta] = await p.send({ topic: 'orders', messages: [{ value: 'fire', partition: 0 }] });
    expect(meta.baseOffset).toBe(-1);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.values('orders', 0)).toEqual(['fire']);
    expect(fake.requests.find((r) => r.event === 'produce')?.payload).toMatchObject({ acks: 0 });
  });

  it('sendBatch writes to several topics; flush sends without waiting for linger; disconnect flushes', async () => {
    fake.createTopic('audit', 1, 2);
    const p = producer({ lingerMs: 60_000 });
    await p.connect();
    const started = Date.now();
    const pending = p.sendBatch({
      topicMessages: [
        { topic: 'orders', messages: [{ value: 'o', partition: 0 }] },
        { topic: 'audit', messages: [{ value: 'a' }] },
      ],
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.countRequests('produce')).toBe(0);
    await p.flush();
    const results = await pending;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(results.map((r) => r.topic).sort()).toEqual(['audit', 'orders']);
    // one request per leader broker
    expect(fake.countRequests('produce', 1)).toBe(1);
    expect(fake.countRequests('produce', 2)).toBe(1);

    const last = p.send({ topic: 'orders', messages: [{ value: 'last', partition: 0 }] });
    await new Promise((r) => setTimeout(r, 20));
    await p.disconnect();
    await expect(last).resolves.toHaveLength(1);
    expect(fake.values('orders', 0)).toEqual(['o', 'last']);
    await expect(p.send({ topic: 'orders', messages: [{ value: 'x' }] })).rejects.toBeInstanceOf(TributaryError);
  });

  it('acks=0: disconnect() returns only once the broker has taken in every record sent', async () => {
    const p = producer({ acks: 0 });
    const results = await p.send({ topic: 'orders', messages: Array.from({ length: 1000 }, (_, i) => ({ value: `line-${i}` })) });
    expect(results.every((r) => r.baseOffset === -1)).toBe(true);
    await p.disconnect();
    // the fake appends as it takes a request in: nothing may still be on its way
    const total = [0, 1, 2, 3].reduce((n, partition) => n + fake.records('orders', partition).length, 0);
    expect(total).toBe(1000);
  });

  it('retries: 0: a send failed by a leader change refreshes metadata before it rejects, so the next send goes to the new leader', async () => {
    const p = new Producer(
      {
        cluster: testCluster(fake.urls, { retry: resolveRetry({ retries: 0 }) }),
        requestTimeoutMs: 2000,
        retry: resolveRetry({ retries: 0 }),
        logger: quietLogger,
      },
      { retry: { retries: 0 }, lingerMs: 0 },
    );
    producers.push(p);
    await p.send({ topic: 'orders', messages: [{ value: 'a', partition: 0 }] });
    fake.setLeader('orders', 0, 2);
    const err = (await p.send({ topic: 'orders', messages: [{ value: 'b', partition: 0 }] }).catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(err.cause.code).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const [meta] = await p.send({ topic: 'orders', messages: [{ value: 'c', partition: 0 }] });
    expect(meta.baseOffset).toBe(1);
    expect(fake.requests.filter((r) => r.event === 'produce').map((r) => r.brokerId)).toEqual([1, 1, 2]);
    expect(fake.values('orders', 0)).toEqual(['a', 'c']);
  });
});
