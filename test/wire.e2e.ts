import { Buffer } from 'buffer';
import {
  decodeRecordBatches,
  encodeProduceEntries,
  encodeRecordBatch,
  ErrorCode,
  type CreateTopicsResponse,
  type FetchResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '@tributary/protocol';
import { RawSocket } from './support/raw-socket';
import { TestCluster } from './support/test-cluster';
import { sleep, waitFor } from './support/free-port';

jest.setTimeout(180_000);

/**
 * The wire API's promises on two real brokers: routing errors, fetch long polling, acks=0,
 * and listOffsets by earliest, latest and timestamp.
 */
describe('wire API on two brokers', () => {
  let cluster: TestCluster;
  const sockets = new Map<number, RawSocket>();
  const topic = 'wire';
  const leaders = new Map<number, number>();

  const sock = (brokerId: number) => sockets.get(brokerId)!;
  const batchOf = (values: string[], timestamp: number) =>
    encodeRecordBatch(values.map((v, i) => ({ key: null, value: Buffer.from(v), timestamp: timestamp + i })));
  const produce = (brokerId: number, partition: number, batches: Buffer, acks = 1) =>
    sock(brokerId).request<ProduceResponse>('produce', { acks, timeoutMs: 5000, data: encodeProduceEntries([{ topic, partition, batches }]) });
  const fetchFrom = (brokerId: number, partition: number, fetchOffset: number, maxWaitMs: number, minBytes = 1) =>
    sock(brokerId).request<FetchResponse>('fetch', {
      maxWaitMs,
      minBytes,
      maxBytes: 1 << 20,
      partitions: [{ topic, partition, fetchOffset, partitionMaxBytes: 1 << 20 }],
    });
  // Each test starts from wherever the partition's log ends, so none relies on what an earlier one wrote.
  const logEnd = async (brokerId: number, partition: number) =>
    (await sock(brokerId).request<ListOffsetsResponse>('listOffsets', { partitions: [{ topic, partition, timestamp: -1 }] })).partitions[0].offset;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 2 });
    for (const b of cluster.brokers) sockets.set(b.id, await RawSocket.connect(b.url));
    await waitFor('a controller and two brokers', async () => {
      const m = await sock(1).request<MetadataResponse>('metadata', {});
      return m.controllerId > 0 && m.brokers.length === 2 ? m : null;
    });
    const controller = (await sock(1).request<MetadataResponse>('metadata', {})).controllerId;
    const created = await sock(controller).request<CreateTopicsResponse>('createTopics', { topics: [{ name: topic, numPartitions: 2, replicationFactor: 1 }] });
    expect(created.topics[0].errorCode).toBe(ErrorCode.NONE);
    const meta = await waitFor('both brokers to see the topic', async () => {
      const [a, b] = await Promise.all([1, 2].map((id) => sock(id).request<MetadataResponse>('metadata', { topics: [topic] })));
      return a.topics[0].errorCode === 0 && b.topics[0].errorCode === 0 ? a : null;
    });
    for (const p of meta.topics[0].partitions) leaders.set(p.partition, p.leader);
    expect(new Set(leaders.values())).toEqual(new Set([1, 2]));
  });

  afterAll(async () => {
    for (const s of sockets.values()) s.close();
    await cluster?.stop();
  });

  it('answers NOT_LEADER_OR_FOLLOWER on the broker that does not lead, and the leader accepts', async () => {
    const leader = leaders.get(0)!;
    const other = leader === 1 ? 2 : 1;
    const end = await logEnd(leader, 0);
    const wrong = await produce(other, 0, batchOf(['x'], Date.now()));
    expect(wrong.partitions[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const wrongFetch = await fetchFrom(other, 0, 0, 0);
    expect(wrongFetch.partitions[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const right = await produce(leader, 0, batchOf(['first'], Date.now()));
    expect(right.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: end });
    expect(await logEnd(leader, 0)).toBe(end + 1); // the refused produce wrote nothing
  });

  it('holds an empty fetch for maxWaitMs, and answers as soon as a record arrives', async () => {
    const leader = leaders.get(1)!;
    const end = await logEnd(leader, 1);
    const t0 = Date.now();
    const empty = await fetchFrom(leader, 1, end, 400);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(empty.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, byteLength: 0, highWatermark: end });

    const t1 = Date.now();
    const waiting = fetchFrom(leader, 1, end, 10_000);
    await sleep(300);
    await produce(leader, 1, batchOf(['late'], Date.now()));
    const got = await waiting;
    const waited = Date.now() - t1;
    expect(waited).toBeGreaterThanOrEqual(250);
    process.stdout.write(`long poll answered ${waited} ms after it was sent (the append came after 300 ms)\n`);
    expect(waited).toBeLessThan(8000); // answered by the append, not by the 10 s timeout
    expect(decodeRecordBatches(Buffer.from(got.records)).map((r) => r.value?.toString())).toEqual(['late']);
    expect(got.partitions[0].highWatermark).toBe(end + 1);
  });

  it('writes with acks=0 although nothing is acknowledged', async () => {
    const leader = leaders.get(1)!;
    const s = sock(leader);
    const end = await logEnd(leader, 1);
    // acks=0: the client does not wait for an answer; the record must still land.
    s.emit('produce', {
      acks: 0,
      timeoutMs: 1000,
      data: encodeProduceEntries([{ topic, partition: 1, batches: batchOf(['fire-and-forget'], Date.now()) }]),
    });
    await waitFor('the acks=0 record to land', async () => {
      const r = await s.request<ListOffsetsResponse>('listOffsets', { partitions: [{ topic, partition: 1, timestamp: -1 }] });
      return r.partitions[0].offset === end + 1;
    });
    const landed = await fetchFrom(leader, 1, end, 0);
    expect(landed.partitions[0].errorCode).toBe(ErrorCode.NONE);
    expect(decodeRecordBatches(Buffer.from(landed.records)).map((r) => r.value?.toString())).toEqual(['fire-and-forget']);
  });

  it('answers a request it does not serve (a misspelt event) with UNSUPPORTED_VERSION at once', async () => {
    const tookMs: number[] = [];
    for (const event of ['deleteTopic', 'metadta', '__proto__']) {
      const started = Date.now();
      // The long request timeout tells a slow answer on a loaded machine apart from none at all.
      const r = await sock(1).request<{ errorCode: number; errorMessage: string }>(event, { topics: [topic] }, 15_000);
      tookMs.push(Date.now() - started);
      expect(r.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect(r.errorMessage).toContain(event);
    }
    process.stdout.write(`unsupported requests answered in ${tookMs.join(', ')} ms\n`);
    for (const ms of tookMs) expect(ms).toBeLessThan(10_000);
    // and the topic is untouched
    const meta = await sock(1).request<MetadataResponse>('metadata', { topics: [topic] });
    expect(meta.topics[0].errorCode).toBe(ErrorCode.NONE);
  });

  it('lists earliest, latest and by-timestamp offsets', async () => {
    const leader = leaders.get(0)!;
    const base = Date.now() + 60_000; // later than any timestamp another test in this file writes
    const end = await logEnd(leader, 0);
    await produce(leader, 0, batchOf(['t0', 't1', 't2'], base));
    await produce(leader, 0, batchOf(['t3'], base + 1000));
    // One partition may appear once per request (Kafka refuses duplicates), so one request per timestamp.
    const offsets: number[] = [];
    for (const timestamp of [-2, -1, base, base + 500, base + 10_000]) {
      const r = await sock(leader).request<ListOffsetsResponse>('listOffsets', { partitions: [{ topic, partition: 0, timestamp }] });
      offsets.push(r.partitions[0].offset);
    }
    expect(offsets).toEqual([0, end + 4, end, end + 3, -1]);
  });
});
