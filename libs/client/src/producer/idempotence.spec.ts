import { ErrorCode, readBatchHeader } from '@tributary/protocol';
import { InvalidConfigError } from '../errors';
import { FakeCluster } from '../testing/fake-broker';
import { fastRetry, quietLogger, testCluster } from '../testing/helpers';
import { Producer } from './producer';
import type { ProducerOptions } from './types';

describe('idempotent producer against a fake cluster', () => {
  let fake: FakeCluster;
  const producers: Producer[] = [];

  const producer = (options: ProducerOptions = {}): Producer => {
    const p = new Producer({ cluster: testCluster(fake.urls), requestTimeoutMs: 2000, retry: fastRetry, logger: quietLogger }, options);
    producers.push(p);
    return p;
  };

  beforeEach(async () => {
    fake = await FakeCluster.start(1);
    fake.createTopic('orders', 1, 1);
  });

  afterEach(async () => {
    fake.loseAckHook = null;
    await Promise.all(producers.splice(0).map((p) => p.disconnect().catch(() => undefined)));
    await fake.stop();
  });

  /** 40 sends of one record each (batchSize 1: a batch each), not awaited one by one, so several are in flight; every 3rd ack is lost. */
  async function sendWithLostAcks(p: Producer): Promise<void> {
    let answered = 0;
    fake.loseAckHook = () => ++answered % 3 === 0;
    await Promise.all(Array.from({ length: 40 }, (_, i) => p.send({ topic: 'orders', messages: [{ value: `m${i}`, partition: 0 }] })));
  }

  it('by default stamps batches with a producer id and sequences, and a retry after a lost ack is not written twice', async () => {
    const p = producer({ lingerMs: 0, batchSize: 1 });
    await sendWithLostAcks(p);
    expect(fake.values('orders', 0)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`));
    const headers = fake.partition('orders', 0).batches.map((b) => readBatchHeader(b));
    expect(headers.every((h) => h.producerId === headers[0].producerId && h.producerId >= 0)).toBe(true);
    expect(headers.map((h) => h.baseSequence)).toEqual(Array.from({ length: headers.length }, (_, i) => i));
    expect(fake.countRequests('initProducerId')).toBe(1);
  });

  it('keeps several batches of a partition in flight', async () => {
    // unanswered requests time out after timeoutMs + requestTimeoutMs and are retried, answered then
    const p = producer({ lingerMs: 0, batchSize: 1, timeoutMs: 100 });
    await p.connect();
    fake.unanswered.add('produce');
    const sends = Array.from({ length: 8 }, (_, i) => p.send({ topic: 'orders', messages: [{ value: `m${i}`, partition: 0 }] }));
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.countRequests('produce')).toBe(5);
    fake.unanswered.delete('produce');
    await Promise.all(sends);
    expect(fake.values('orders', 0)).toEqual(Array.from({ length: 8 }, (_, i) => `m${i}`));
  });

  it('with idempotent: false the same lost acks write duplicates (what the default prevents)', async () => {
    const p = producer({ lingerMs: 0, batchSize: 1, idempotent: false });
    await sendWithLostAcks(p);
    const values = fake.values('orders', 0);
    expect(values.length).toBeGreaterThan(40);
    expect(new Set(values).size).toBe(40);
  });

  it('answers UNKNOWN_PRODUCER_ID (state expired on the leader) with a new epoch, resending from sequence 0', async () => {
    const p = producer({ lingerMs: 0 });
    await p.send({ topic: 'orders', messages: [{ value: 'a', partition: 0 }] });
    fake.partition('orders', 0).producers.clear();
    const [meta] = await p.send({ topic: 'orders', messages: [{ value: 'b', partition: 0 }] });
    expect(meta.baseOffset).toBe(1);
    expect(fake.values('orders', 0)).toEqual(['a', 'b']);
    const last = readBatchHeader(fake.partition('orders', 0).batches[1]);
    expect([last.producerEpoch, last.baseSequence]).toEqual([1, 0]);
    expect(fake.countRequests('initProducerId')).toBe(2);
  });

  it('fails the waiting batches, not hangs them, when no producer epoch can be had; a later send asks again', async () => {
    const p = producer({ lingerMs: 0 });
    await p.send({ topic: 'orders', messages: [{ value: 'a', partition: 0 }] });
    fake.partition('orders', 0).producers.clear();
    fake.initProducerIdError = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    await expect(p.send({ topic: 'orders', messages: [{ value: 'b', partition: 0 }] })).rejects.toMatchObject({ code: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    fake.initProducerIdError = null;
    await p.send({ topic: 'orders', messages: [{ value: 'c', partition: 0 }] });
    expect(fake.values('orders', 0)).toEqual(['a', 'c']);
  });

  it('refuses idempotence with acks other than all, and more than 5 in flight per partition, with a config error', () => {
    expect(() => producer({ idempotent: true, acks: 1 })).toThrow(InvalidConfigError);
    expect(() => producer({ maxInFlightPerPartition: 6 })).toThrow(InvalidConfigError);
    expect(() => producer({ idempotent: false, maxInFlightPerPartition: 2 })).toThrow(InvalidConfigError);
    // acks 1 alone turns idempotence off, as in Kafka
    expect(() => producer({ acks: 1 })).not.toThrow();
    try {
      producer({ idempotent: true, acks: 0 });
    } catch (err) {
      expect((err as InvalidConfigError).code).toBe(ErrorCode.INVALID_CONFIG);
    }
  });
});
