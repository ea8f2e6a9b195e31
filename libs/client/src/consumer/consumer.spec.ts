import { Buffer } from 'buffer';
import { encodeRecordBatch, ErrorCode } from '@tributary/protocol';
import { FakeCluster } from '../testing/fake-broker';
import { fastRetry, quietLogger, testCluster, waitFor } from '../testing/helpers';
import { resolveRetry, type ResolvedRetryOptions } from '../retry/retrier';
import { Consumer } from './consumer';
import type { ConsumerOptions, EachMessagePayload } from './types';

const batch = (...values: string[]): Buffer =>
  encodeRecordBatch(values.map((v, i) => ({ key: null, value: Buffer.from(v), headers: { n: Buffer.from(String(i)) }, timestamp: 1000 + i })));

describe('Consumer against a fake cluster', () => {
  let fake: FakeCluster;
  const consumers: Consumer[] = [];

  const consumer = (options: ConsumerOptions = {}, retry: ResolvedRetryOptions = fastRetry): Consumer => {
    const c = new Consumer({ cluster: testCluster(fake.urls), requestTimeoutMs: 2000, retry, logger: quietLogger }, { maxWaitMs: 50, ...options });
    consumers.push(c);
    return c;
  };

  /** Collects "topic/partition@offset=value" for every message handled. */
  const collector = (): { seen: string[]; eachMessage: (p: EachMessagePayload) => Promise<void> } => {
    const seen: string[] = [];
    return {
      seen,
      eachMessage: async ({ topic, partition, message }) => {
        seen.push(`${topic}/${partition}@${message.offset}=${message.value?.toString()}`);
      },
    };
  };

  beforeEach(async () => {
    fake = await FakeCluster.start(2);
    fake.createTopic('logs', 2, 1);
  });

  afterEach(async () => {
    fake.fetchHook = null;
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    await fake.stop();
  });

  it('delivers from the assigned offset in order, skipping records of the batch below it', async () => {
    fake.append('logs', 0, batch('a', 'b', 'c', 'd', 'e'));
    const c = consumer();
    const { seen, eachMessage } = collector();
    c.assign([{ topic: 'logs', partition: 0, offset: 2 }]);
    await c.run({ eachMessage });
    await waitFor(() => seen.length >= 3);
    fake.append('logs', 0, batch('f', 'g'));
    await waitFor(() => seen.length >= 5);
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(['logs/0@2=c', 'logs/0@3=d', 'logs/0@4=e', 'logs/0@5=f', 'logs/0@6=g']);
    expect(c.position('logs', 0)).toBe(7);
  });

  it('hands whole fetched batches to eachBatch with the high watermark, and headers/timestamps intact', async () => {
    fake.append('logs', 1, batch('x', 'y'));
    const c = consumer();
    const batches: Array<{ hw: number; offsets: number[]; headers: string[]; ts: number[] }> = [];
    c.assign([{ topic: 'logs', partition: 1, offset: 1 }]);
    await c.run({
      eachBatch: async ({ batch: b }) => {
        batches.push({
          hw: b.highWatermark,
          offsets: b.messages.map((m) => m.offset),
          headers: b.messages.map((m) => m.headers.n.toString()),
          ts: b.messages.map((m) => m.timestamp),
        });
      },
    });
    await waitFor(() => batches.length > 0);
    expect(batches[0]).toEqual({ hw: 2, offsets: [1], headers: ['1'], ts: [1001] });
    expect(c.position('logs', 1)).toBe(2);
  });

  it('starts at the log start when no offset is given (earliest), and resets there after OFFSET_OUT_OF_RANGE', async () => {
    fake.append('logs', 0, batch('old1', 'old2'));
    fake.append('logs', 0, batch('kept'));
    fake.truncateBefore('logs', 0, 2);
    fake.append('logs', 1, batch('p1'));
    const c = consumer();
    const { seen, eachMessage } = collector();
    c.assign([
      { topic: 'logs', partition: 0, offset: 0 },
      { topic: 'logs', partition: 1 },
    ]);
    await c.run({ eachMessage });
    await waitFor(() => seen.length >= 2);
    expect(seen.sort()).toEqual(['logs/0@2=kept', 'logs/1@0=p1']);
    expect(fake.countRequests('listOffsets')).toBeGreaterThanOrEqual(1);
  });

  it("with autoOffsetReset 'latest' reads only what is written after it started", async () => {
    fake.append('logs', 0, batch('before'));
    const c = consumer({ autoOffsetReset: 'latest' });
    const { seen, eachMessage } = collector();
    c.assign([{ topic: 'logs', partition: 0 }]);
    await c.run({ eachMessage });
    await waitFor(() => c.position('logs', 0) === 1);
    fake.append('logs', 0, batch('after'));
    await waitFor(() => seen.length >= 1);
    expect(seen).toEqual(['logs/0@1=after']);
  });

  it('on NOT_LEADER_OR_FOLLOWER refreshes metadata and fetches from the new leader', async () => {
    fake.append('logs', 0, batch('one'));
    const c = consumer();
    const { seen, eachMessage } = collector();
    c.assign([{ topic: 'logs', partition: 0, offset: 0 }]);
    await c.run({ eachMessage });
    await waitFor(() => seen.length === 1);
    fake.setLeader('logs', 0, 2);
    fake.append('logs', 0, batch('two'));
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(['logs/0@0=one', 'logs/0@1=two']);
    expect(fake.countRequests('fetch', 2)).toBeGreaterThanOrEqual(1);
  });

  it('retries after a retriable partition error or a dropped connection, without losing or repeating records', async () => {
    fake.append('logs', 0, batch('a', 'b'));
    let calls = 0;
    fake.fetchHook = () => {
      calls++;
      if (calls === 1) return ErrorCode.LEADER_NOT_AVAILABLE;
      if (calls === 2) return 'drop';
      return undefined;
    };
    const c = consumer();
    const { seen, eachMessage } = collector();
    c.assign([{ topic: 'logs', partition: 0, offset: 0 }]);
    await c.run({ eachMessage });
    await waitFor(() => seen.length >= 2);
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(['logs/0@0=a', 'logs/0@1=b']);
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  it('reads partitions led by different brokers, one fetch loop each', async () => {
    fake.setLeader('logs', 1, 2);
    fake.append('logs', 0, batch('zero'));
    fake.append('logs', 1, batch('one'));
    const c = consumer();
    const { seen, eachMessage } = collector();
    c.assign([
      { topic: 'logs', partition: 0, offset: 0 },
      { topic: 'logs', partition: 1, offset: 0 },
    ]);
    await c.run({ eachMessage });
    await waitFor(() => seen.length >= 2);
    expect(seen.sort()).toEqual(['logs/0@0=zero', 'logs/1@0=one']);
    expect(fake.countRequests('fetch', 1)).toBeGreaterThan(0);
    expect(fake.countRequests('fetch', 2)).toBeGreaterThan(0);
  });

  it('pause stops delivery for a partition until resume; seek re-reads from an offset', async () => {
    const c = consumer();
    const { seen, eachMessage } = collector();
    c.assign([{ topic: 'logs', partition: 0, offset: 0 }]);
    c.pause([{ topic: 'logs' }]);
    expect(c.paused()).toEqual([{ topic: 'logs', partitions: [0] }]);
    await c.run({ eachMessage });
    fake.append('logs', 0, batch('a', 'b', 'c'));
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([]);
    c.resume([{ topic: 'logs', partitions: [0] }]);
    await waitFor(() => seen.length === 3);
    c.seek({ topic: 'logs', partition: 0, offset: 1 });
    await waitFor(() => seen.length === 5);
    expect(seen).toEqual(['logs/0@0=a', 'logs/0@1=b', 'logs/0@2=c', 'logs/0@1=b', 'logs/0@2=c']);
    expect(() => c.seek({ topic: 'logs', partition: 1, offset: 0 })).toThrow(/not assigned/);
  });

  it('redelivers a message whose handler threw, and crashes after too many failures', async () => {
    fake.append('logs', 0, batch('a', 'b'));
    const c = consumer({}, resolveRetry({ retries: 2, initialRetryTime: 5, maxRetryTime: 10 }));
    const seen: number[] = [];
    let failuresOnB = 0;
    const crashed = new Promise<Error>((resolve) => c.on('crash', ({ error }) => resolve(error)));
    c.assign([{ topic: 'logs', partition: 0, offset: 0 }]);
    await c.run({
      eachMessage: async ({ message }) => {
        seen.push(message.offset);
        if (message.offset === 1 && failuresOnB++ < 10) throw new Error('boom');
      },
    });
    const error = await crashed;
    expect(error.message).toBe('boom');
    // a once, then b three times (first try + 2 retries); a is never redelivered
    expect(seen).toEqual([0, 1, 1, 1]);
    expect(c.position('logs', 0)).toBe(1);
  });

  it('drops a fetch sent ahead when the handler did not reach where it read from: nothing skipped, nothing reordered', async () => {
    fake.append('logs', 0, batch('a', 'b'));
    fake.append('logs', 0, batch('c', 'd'));
    const fetchedFrom: number[] = [];
    fake.fetchHook = (_call, fetchOffset) => {
      fetchedFrom.push(fetchOffset);
      return undefined;
    };
    // one batch per fetch, so the second batch is fetched ahead while the first is handled
    const c = consumer({ maxBytesPerPartition: 1 });
    const seen: number[] = [];
    let failed = false;
    c.assign([{ topic: 'logs', partition: 0, offset: 0 }]);
    await c.run({
      eachMessage: async ({ message }) => {
        seen.push(message.offset);
        if (message.offset === 1 && !failed) {
          failed = true;
          throw new Error('once');
        }
      },
    });
    await waitFor(() => seen.length >= 5);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([0, 1, 1, 2, 3]);
    expect(c.position('logs', 0)).toBe(4);
    // the fetch from 2 went out ahead, before the failed message was fetched again from 1
    expect(fetchedFrom.indexOf(2)).toBeGreaterThan(-1);
    expect(fetchedFrom.indexOf(2)).toBeLessThan(fetchedFrom.lastIndexOf(1));
  });

  it('hands out no record of a batch that fails its CRC, and goes on with the other partitions', async () => {
    const corrupt = batch('bad');
    corrupt[corrupt.length - 4] ^= 0x01; // a byte of the value: the batch still parses
    fake.append('logs', 0, corrupt);
    fake.append('logs', 1, batch('good'));
    const c = consumer();
    const { seen, eachMessage } = collector();
    c.assign([
      { topic: 'logs', partition: 0, offset: 0 },
      { topic: 'logs', partition: 1, offset: 0 },
    ]);
    await c.run({ eachMessage });
    await waitFor(() => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['logs/1@0=good']);
    expect(c.position('logs', 0)).toBe(0);
  });

  it('stop() ends fetching; run() refuses bad configs; unknown topics fail run()', async () => {
    const c = consumer();
    await expect(c.run({})).rejects.toThrow(/exactly one/);
    c.assign([{ topic: 'nope', partition: 0 }]);
    await expect(c.run({ eachMessage: async () => undefined })).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    c.assign([{ topic: 'logs', partition: 0, offset: 0 }]);
    const { seen, eachMessage } = collector();
    await c.run({ eachMessage });
    await waitFor(() => fake.countRequests('fetch') > 0);
    await c.stop();
    // a request emitted just before stop() may still be on its way to the server
    await new Promise((r) => setTimeout(r, 20));
    const fetches = fake.countRequests('fetch');
    fake.append('logs', 0, batch('late'));
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([]);
    expect(fake.countRequests('fetch')).toBe(fetches);
  });
});
