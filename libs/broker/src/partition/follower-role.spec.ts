import { ErrorCode, type FetchResponse, type ResponseBase } from '@tributary/protocol';
import {
  FakeClock,
  InMemoryPartitionStore,
  LEASE_MS,
  ScriptedLinks,
  batch,
  replicaPool,
  servedBy,
  sleep,
  waitUntil,
  type ReplicaHarness,
} from './testing/partition-fakes';

const initial = (leader: number) => ({ topic: 't', partition: 0, replicas: [1, 2], leader, leaderEpoch: 0, isr: [1, 2] });

describe('FollowerRole and ReplicaFetcher (stream apply, truncation, catch-up outside the mailbox)', () => {
  const { make, closeAll } = replicaPool();
  afterEach(closeAll);

  /** broker 1 leads epoch 1 over a shared store and clock */
  const leader = async () => {
    const clock = new FakeClock();
    const store = new InMemoryPartitionStore(initial(1), clock);
    const h1 = make({ brokerId: 1, initial: initial(1), store, clock, config: { 'min.insync.replicas': 1 } });
    await waitUntil('the claim', () => h1.actor.isLeader && h1.actor.leaderEpoch === 1);
    return h1;
  };
  const entry = (h: ReplicaHarness, i: number) => ({ topic: 't', partition: 0, id: `${i + 1}-0`, ...h.streams.appended[i] });

  it('applies stream entries in order, acks its log end, follows the high watermark; a gap sends it back to catch-up', async () => {
    const h1 = await leader();
    const h2 = make({
      brokerId: 2,
      initial: h1.store.state,
      store: h1.store,
      clock: h1.clock,
      links: new ScriptedLinks(servedBy(() => h1.actor)),
      config: { 'min.insync.replicas': 1 },
    });
    await waitUntil('the first catch-up', () => h2.actor.streamCursor !== null);
    for (const v of ['a', 'b', 'c']) await h1.actor.produce(batch(v), 1, 1000);
    await h2.actor.applyReplicated(entry(h1, 0));
    expect(h2.actor.log.logEndOffset).toBe(1);
    expect(h2.acks.at(-1)).toMatchObject({ leaderId: 1, leaderEpoch: 1, logEndOffset: 1, brokerEpoch: 12 });
    // entry 2 skips entry 1 (lost): not applied; the follower fetches what it missed instead
    await h2.actor.applyReplicated(entry(h1, 2));
    await waitUntil('the gap to be fetched', () => h2.actor.log.logEndOffset === 3 && h2.actor.streamCursor !== null);
    expect(h2.links.calls.filter((c) => c.event === 'fetch').length).toBeGreaterThanOrEqual(2);
  });

  it('deleteRecords on the leader moves the follower’s log start through the stream; past the high watermark is OFFSET_OUT_OF_RANGE', async () => {
    const h1 = await leader();
    const h2 = make({
      brokerId: 2,
      initial: h1.store.state,
      store: h1.store,
      clock: h1.clock,
      links: new ScriptedLinks(servedBy(() => h1.actor)),
      config: { 'min.insync.replicas': 1 },
    });
    await waitUntil('the first catch-up', () => h2.actor.streamCursor !== null);
    for (const v of ['a', 'b', 'c']) await h1.actor.produce(batch(v), 1, 1000);
    for (let i = 0; i < 3; i++) await h2.actor.applyReplicated(entry(h1, i));
    const ack = h2.acks.at(-1);
    if (!ack) throw new Error('the follower acked nothing');
    h1.actor.onReplicaProgress(2, ack.logEndOffset, ack.leaderEpoch, ack.brokerEpoch);
    expect(h1.actor.committedOffset).toBe(3);
    await expect(h1.actor.deleteRecords(h1.actor.committedOffset + 1)).rejects.toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE });
    expect(await h1.actor.deleteRecords(2)).toBe(2);
    expect(h1.actor.log.logStartOffset).toBe(2);
    const marker = h1.streams.appended.at(-1);
    expect(marker).toMatchObject({ logStartOffset: 2, baseOffset: h1.actor.log.logEndOffset });
    expect(marker?.data.length).toBe(0);
    await h2.actor.applyReplicated(entry(h1, 3));
    expect(h2.actor.log.logStartOffset).toBe(2);
    expect(h2.actor.log.logEndOffset).toBe(h1.actor.log.logEndOffset);
  });

  it('truncates on a new epoch to where its last epoch ended on the new leader (KIP-101)', async () => {
    // broker 2 leads epoch 1 and appends three records; broker 1 follows and gets only the first
    const clock = new FakeClock();
    const store = new InMemoryPartitionStore(initial(2), clock);
    let target: ReplicaHarness | null = null;
    const h2 = make({
      brokerId: 2,
      initial: initial(2),
      store,
      clock,
      links: new ScriptedLinks(servedBy(() => (target as ReplicaHarness).actor)),
      config: { 'min.insync.replicas': 1 },
    });
    await waitUntil('broker 2 to lead', () => h2.actor.isLeader && h2.actor.leaderEpoch === 1);
    let reachable = true;
    const fromH2 = servedBy(() => h2.actor);
    const cutOff = async (event: string, payload: unknown): Promise<ResponseBase> =>
      reachable ? fromH2(event, payload) : { errorCode: ErrorCode.NETWORK_EXCEPTION, errorMessage: 'cut off (test)' };
    const h1 = make({ brokerId: 1, initial: store.state, store, clock, links: new ScriptedLinks(cutOff), config: { 'min.insync.replicas': 1 } });
    await waitUntil('broker 1 to catch up', () => h1.actor.streamCursor !== null);
    for (const v of ['a', 'b', 'c']) await h2.actor.produce(batch(v), 1, 1000);
    await h1.actor.applyReplicated(entry(h2, 0));
    expect(h1.actor.log.logEndOffset).toBe(1);
    expect(h2.actor.log.logEndOffset).toBe(3);

    // broker 2 is cut off and stops renewing; broker 1 (in the ISR) claims epoch 2 and leads from offset 1
    reachable = false;
    target = h1;
    clock.advance(LEASE_MS * 3);
    h1.actor.tick();
    await waitUntil('broker 1 to lead epoch 2', () => h1.actor.isLeader && h1.actor.leaderEpoch === 2);
    await h1.actor.produce(batch('d'), 1, 1000);

    // broker 2 learns of epoch 2: its offsets 1-2 (epoch 1) were never on the new leader
    h2.actor.update(store.state, h2.config);
    expect(h2.actor.isFollower).toBe(true);
    await waitUntil('broker 2 to truncate and catch up', () => h2.actor.streamCursor !== null && h2.actor.log.logEndOffset === 2);
    expect(h1.actor.log.logEndOffset).toBe(2);
    const events = h2.links.calls.map((c) => c.event);
    expect(events[0]).toBe('offsetForLeaderEpoch');
    expect(h2.links.calls[1]).toMatchObject({ event: 'fetch', payload: { replicaEpoch: 2, partitions: [{ fetchOffset: 1 }] } });
    expect(h2.actor.log.latestEpoch()).toBe(2);
  });

  it('a slow catch-up fetch (2 s) does not block the mailbox: produce and stream messages are answered meanwhile', async () => {
    const h1 = await leader();
    for (const v of ['a', 'b']) await h1.actor.produce(batch(v), 1, 1000);
    const serve = servedBy(() => h1.actor);
    let fetchStarted = 0;
    let fetchAnswered = 0;
    const links = new ScriptedLinks(async (event, payload): Promise<ResponseBase> => {
      if (event !== 'fetch') return serve(event, payload);
      fetchStarted = Date.now();
      await sleep(2000);
      fetchAnswered = Date.now();
      return serve(event, payload);
    });
    const h2 = make({ brokerId: 2, initial: h1.store.state, store: h1.store, clock: h1.clock, links });
    await waitUntil('the fetch to start', () => fetchStarted > 0);

    const t0 = Date.now();
    await expect(h2.actor.produce(batch('x'), 1, 1000)).rejects.toMatchObject({ code: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    await h2.actor.applyReplicated(entry(h1, 0)); // ignored while catching up, but answered
    h2.actor.tick();
    const answeredIn = Date.now() - t0;
    expect(fetchAnswered).toBe(0); // the fetch was still outstanding
    expect(answeredIn).toBeLessThan(1000);
    expect(h2.actor.log.logEndOffset).toBe(0);

    await waitUntil('the catch-up to land', () => h2.actor.log.logEndOffset === 2 && h2.actor.streamCursor !== null, 15_000);
    expect(fetchAnswered - fetchStarted).toBeGreaterThanOrEqual(1900);
  });

  it('an answer that arrives after the epoch changed is not applied', async () => {
    const h1 = await leader();
    await h1.actor.produce(batch('a'), 1, 1000);
    const serve = servedBy(() => h1.actor);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let answered = false;
    const links = new ScriptedLinks(async (event, payload): Promise<ResponseBase> => {
      if (event !== 'fetch') return serve(event, payload);
      const res = await serve(event, payload); // read now: it holds offset 0
      await gate;
      answered = true;
      return res;
    });
    const h2 = make({ brokerId: 2, initial: h1.store.state, store: h1.store, clock: h1.clock, links });
    await waitUntil('the fetch to start', () => links.calls.some((c) => c.event === 'fetch'));
    // a newer epoch arrives (broker 1 reclaimed): the pending answer belongs to epoch 1
    h2.actor.update({ ...h1.store.state, leaderEpoch: 5 }, h2.config);
    release();
    await waitUntil('the stale answer', () => answered);
    await sleep(50);
    const epoch1Fetches = links.calls.filter((c) => c.event === 'fetch' && (c.payload as { replicaEpoch: number }).replicaEpoch === 1);
    expect(epoch1Fetches).toHaveLength(1);
    // whatever the epoch-5 sync does, the epoch-1 answer itself was dropped: no append from it
    expect(h2.actor.log.logEndOffset).toBe(0);
  });

  it('a catch-up answer that does not describe its records is refused and retried, never appended', async () => {
    const h1 = await leader();
    await h1.actor.produce(batch('a'), 1, 1000);
    const serve = servedBy(() => h1.actor);
    let lie = true;
    const links = new ScriptedLinks(async (event, payload): Promise<ResponseBase> => {
      const res = await serve(event, payload);
      if (event !== 'fetch' || !lie) return res;
      const f = res as FetchResponse;
      const lied: FetchResponse = { ...f, partitions: [{ ...f.partitions[0], byteLength: f.records.length + 100 }] };
      return lied;
    });
    const h2 = make({ brokerId: 2, initial: h1.store.state, store: h1.store, clock: h1.clock, links });
    await waitUntil('two refused fetches', () => links.calls.filter((c) => c.event === 'fetch').length >= 2);
    expect(h2.actor.log.logEndOffset).toBe(0);
    expect(h2.actor.streamCursor).toBeNull();
    lie = false;
    await waitUntil('the honest answer to land', () => h2.actor.log.logEndOffset === 1 && h2.actor.streamCursor !== null);
    // what landed is the leader's record, byte for byte
    expect(h2.actor.log.read(0, 1 << 20).equals(h1.actor.log.read(0, 1 << 20))).toBe(true);
    expect(h2.actor.log.read(0, 1 << 20).length).toBeGreaterThan(0);
  });
});
