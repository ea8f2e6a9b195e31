import { Buffer } from 'buffer';
import { ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { LAG_MS, STALL_MS, batch, replica, waitUntil, type ReplicaHarness } from './testing/partition-fakes';

/** broker epochs the harness registers: 10 + id */
const be = (id: number) => 10 + id;

describe('LeaderRole (produce, high watermark, ISR shrink and expand)', () => {
  let h: ReplicaHarness;
  const start = async (isr: number[], minIsr = 1) => {
    h = replica({
      brokerId: 1,
      initial: { topic: 't', partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr },
      config: { 'min.insync.replicas': minIsr },
    });
    await waitUntil('the claim', () => h.actor.isLeader && h.actor.leaderEpoch === 1);
  };
  const progress = (id: number, leo: number) => h.actor.onReplicaProgress(id, leo, 1, be(id));
  /** moves time by `ms` in steps small enough for the lease renewals to keep up */
  const pass = async (ms: number) => {
    for (let left = ms; left > 0; left -= 500) {
      h.clock.advance(Math.min(500, left));
      h.actor.tick();
      await new Promise((r) => setImmediate(r));
    }
  };
  afterEach(() => h.close());

  it('acks=all resolves only once every ISR member has the record; the high watermark is the ISR minimum', async () => {
    await start([1, 2, 3]);
    let acked = false;
    const write = h.actor.produce(batch('a'), -1, 30_000).then(() => (acked = true));
    await waitUntil('the append', () => h.actor.log.logEndOffset === 1);
    expect(h.streams.appended).toHaveLength(1);
    progress(2, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(acked).toBe(false);
    expect(h.actor.committedOffset).toBe(0);
    progress(3, 1);
    await write;
    expect(h.actor.committedOffset).toBe(1);
  });

  it('an idempotent retry is answered with its original offset once committed, neither appended nor published again', async () => {
    await start([1, 2]);
    const idem = (seq: number) =>
      encodeRecordBatch([{ key: null, value: Buffer.from(`v${seq}`), timestamp: Date.now() }], { producerId: 9, producerEpoch: 0, baseSequence: seq });
    await h.actor.produce(batch('other'), 1, 1000);
    const first = h.actor.produce(idem(0), -1, 30_000);
    await waitUntil('the append', () => h.actor.log.logEndOffset === 2);
    let retried = false;
    const retry = h.actor.produce(idem(0), -1, 30_000).then((r) => ((retried = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(retried).toBe(false); // not before the ISR has the original
    progress(2, 2);
    expect((await first).baseOffset).toBe(1);
    expect((await retry).baseOffset).toBe(1);
    expect(h.actor.log.logEndOffset).toBe(2);
    expect(h.streams.appended).toHaveLength(2);
    await expect(h.actor.produce(idem(5), -1, 1000)).rejects.toMatchObject({ code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('refuses acks=all below min.insync.replicas before appending', async () => {
    await start([1, 2], 3);
    await expect(h.actor.produce(batch('a'), -1, 1000)).rejects.toMatchObject({ code: ErrorCode.NOT_ENOUGH_REPLICAS });
    expect(h.actor.log.logEndOffset).toBe(0);
  });

  it('a follower that holds data back and stops reporting leaves the ISR after the stall timeout, not before', async () => {
    await start([1, 2, 3]);
    await h.actor.produce(batch('a'), 1, 1000);
    progress(2, 1); // 2 keeps up, 3 is silent
    await pass(STALL_MS - 500);
    expect(h.store.state.isr).toEqual([1, 2, 3]);
    await pass(1000);
    await waitUntil('the shrink', () => h.actor.inSyncReplicas.length === 2);
    expect(h.actor.inSyncReplicas).toEqual([1, 2]);
    expect(h.store.state.isr).toEqual([1, 2]);
    expect(h.actor.committedOffset).toBe(1); // no longer held back by 3
  });

  it('a follower that does not catch up within the replica lag time leaves the ISR even while it reports', async () => {
    await start([1, 2]);
    await h.actor.produce(batch('a'), 1, 1000);
    for (let t = 0; t <= LAG_MS + 500; t += 500) {
      progress(2, 0); // reports, but never reaches the leader's end
      await h.actor.produce(batch('more'), 1, 1000);
      await pass(500);
      if (t === LAG_MS - 1000) expect(h.store.state.isr).toEqual([1, 2]); // reporting keeps the stall rule away
    }
    await waitUntil('the shrink', () => h.actor.inSyncReplicas.length === 1);
    expect(h.store.state.isr).toEqual([1]);
  });

  it('a follower outside the ISR rejoins once it reaches the high watermark', async () => {
    await start([1, 2]);
    await h.actor.produce(batch('a'), 1, 1000);
    progress(2, 1);
    expect(h.actor.committedOffset).toBe(1);
    progress(3, 0); // below the high watermark: stays out
    await new Promise((r) => setTimeout(r, 20));
    expect(h.store.isrWrites).toEqual([]);
    progress(3, 1);
    await waitUntil('the expansion', () => h.actor.inSyncReplicas.length === 3);
    expect(h.store.state.isr).toEqual([1, 2, 3]);
  });

  it('an ISR write whose reply is lost is read back: the leader counts the ISR the store holds', async () => {
    await start([1, 2]);
    await h.actor.produce(batch('a'), 1, 1000);
    progress(2, 1);
    h.store.loseNextIsrReply = true;
    progress(3, 1);
    await waitUntil('the read-back', () => h.actor.inSyncReplicas.length === 3);
    expect(h.store.isrWrites).toEqual([[1, 2, 3]]);
    // 3 is in the ISR the store holds, so it may be the next leader: acks=all waits for it too
    let acked = false;
    const write = h.actor.produce(batch('b'), -1, 30_000).then(() => (acked = true));
    await waitUntil('the append', () => h.actor.log.logEndOffset === 2);
    progress(2, 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(acked).toBe(false);
    progress(3, 2);
    await write;
  });

  it('a restarted ISR member (newer broker epoch) below the high watermark leaves the ISR; reports from its old incarnation are ignored', async () => {
    await start([1, 2, 3]);
    await h.actor.produce(batch('a'), 1, 1000);
    progress(2, 1);
    progress(3, 1);
    expect(h.actor.committedOffset).toBe(1);
    h.store.brokerEpochs.set(3, be(3) + 1);
    h.actor.onReplicaProgress(3, 0, 1, be(3) + 1);
    await waitUntil('the reborn member to leave', () => h.actor.inSyncReplicas.length === 2);
    expect(h.store.state.isr).toEqual([1, 2]);
    h.actor.onReplicaProgress(3, 1, 1, be(3)); // the old incarnation: stale
    await new Promise((r) => setTimeout(r, 20));
    expect(h.store.state.isr).toEqual([1, 2]);
  });

  it('a replica a reassignment adds within the epoch is tracked, joins the ISR once caught up, and a removed one stops holding the high watermark', async () => {
    await start([1, 2, 3]);
    await h.actor.produce(batch('a'), 1, 1000);
    progress(2, 1);
    progress(3, 1);
    const adding = { ...h.store.state, replicas: [1, 2, 4, 3], addingReplicas: [4], removingReplicas: [3] };
    h.store.state = adding;
    h.actor.update(adding, h.config);
    progress(4, 1);
    await waitUntil('replica 4 joins the ISR', () => h.store.state.isr.includes(4));
    expect(h.actor.inSyncReplicas).toEqual([1, 2, 3, 4]);
    // the switch: 3 leaves the replica set and the ISR in one step
    const done = { ...h.store.state, replicas: [1, 2, 4], isr: [1, 2, 4] };
    delete done.addingReplicas;
    delete done.removingReplicas;
    h.store.state = done;
    h.actor.update(done, h.config);
    expect(h.actor.inSyncReplicas).toEqual([1, 2, 4]);
    const write = h.actor.produce(batch('b'), -1, 5000);
    await waitUntil('the append', () => h.actor.log.logEndOffset === 2);
    progress(2, 2);
    progress(4, 2); // 3, gone, never reports: the write commits without it
    await write;
    expect(h.actor.committedOffset).toBe(2);
  });
});
