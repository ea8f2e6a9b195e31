import { decodeRecordBatches, type FetchRequest } from '@tributary/protocol';
import { batch, replica, sleep, waitUntil, type ReplicaHarness } from '../partition/testing/partition-fakes';
import { FetchHandler } from './fetch-handler';
import type { PartitionLookup } from './partition-lookup';
import type { RequestScope } from './request-scope';

/** broker epochs the harness registers: 10 + id */
const be = (id: number) => 10 + id;

describe('FetchHandler long poll', () => {
  let h: ReplicaHarness;
  let handler: FetchHandler;

  beforeEach(async () => {
    h = replica({ brokerId: 1, initial: { topic: 't', partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr: [1, 2, 3] } });
    await waitUntil('the claim', () => h.actor.isLeader && h.actor.leaderEpoch === 1);
    const lookup = { leaderFor: () => h.actor } as unknown as PartitionLookup;
    handler = new FetchHandler(lookup);
  });
  afterEach(() => h.close());

  const ask = (extra: Partial<FetchRequest> = {}): FetchRequest => ({
    maxWaitMs: 5_000,
    minBytes: 1,
    maxBytes: 1024 * 1024,
    partitions: [{ topic: 't', partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 * 1024 }],
    ...extra,
  });
  const values = (records: Buffer | undefined) => decodeRecordBatches(records ?? Buffer.alloc(0)).map((r) => r.value?.toString());

  it("a consumer's parked poll does not read again for an append the ISR lacks, and answers once the high watermark covers it", async () => {
    const reads = jest.spyOn(h.actor, 'read');
    let answered = false;
    const poll = handler.handle(ask()).then((r) => ((answered = true), r));
    await waitUntil('the first read', () => reads.mock.calls.length === 1);
    const write = h.actor.produce(batch('a'), -1, 30_000);
    await waitUntil('the append', () => h.actor.log.logEndOffset === 1);
    await sleep(20);
    expect(answered).toBe(false);
    expect(reads).toHaveBeenCalledTimes(1);
    h.actor.onReplicaProgress(2, 1, 1, be(2));
    h.actor.onReplicaProgress(3, 1, 1, be(3));
    const response = await poll;
    expect(values(response.records)).toEqual(['a']);
    expect(response.partitions[0].highWatermark).toBe(1);
    expect(reads).toHaveBeenCalledTimes(2);
    await write;
  });

  it("a replica's parked poll is answered by the append itself, before the high watermark moves", async () => {
    const poll = handler.handle(ask({ replicaId: 2, replicaEpoch: 1, replicaBrokerEpoch: be(2) }));
    await sleep(20);
    const write = h.actor.produce(batch('b'), -1, 30_000);
    const response = await poll;
    expect(values(response.records)).toEqual(['b']);
    expect(response.partitions[0].highWatermark).toBe(0);
    h.actor.onReplicaProgress(2, 1, 1, be(2));
    h.actor.onReplicaProgress(3, 1, 1, be(3));
    await write;
  });

  it('a parked poll ends empty at maxWaitMs, and at once when its connection closes', async () => {
    const started = Date.now();
    const timedOut = await handler.handle(ask({ maxWaitMs: 100 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(timedOut.records?.length ?? 0).toBe(0);

    const closed = new AbortController();
    const scope: RequestScope = { signal: closed.signal, whenWritable: async () => undefined, sendBudget: () => 1024 * 1024, reserve: () => undefined };
    let ended = false;
    const poll = handler.handle(ask({ maxWaitMs: 30_000 }), scope).then(() => (ended = true));
    await sleep(20);
    expect(ended).toBe(false);
    closed.abort();
    await poll;
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
