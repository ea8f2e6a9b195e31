import Redis from 'ioredis';
import { Coordination } from '../coordination';
import { Keys } from '../keys';
import type { ClusterStore } from './cluster-store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('broker identity scripts (real Redis)', () => {
  let coordination: Coordination;
  let store: ClusterStore;
  /** a connection of the test's own, to look at and change Redis behind the store's back */
  let redis: Redis;
  let keys: Keys;

  beforeEach(() => {
    const cluster = `ident-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    coordination = Coordination.connect({ redisUrl: REDIS_URL, cluster });
    store = coordination.store;
    redis = new Redis(REDIS_URL);
    keys = new Keys(cluster);
  });

  afterEach(async () => {
    const found = await redis.keys(`${keys.prefix}*`);
    if (found.length) await redis.del(...found);
    redis.disconnect();
    await coordination.close();
  });

  const info = (id: number, port = 9000 + id) => ({ id, host: '127.0.0.1', port, url: `ws://127.0.0.1:${port}` });

  it('refuses a live id to another token, naming the holder, and leaves the holder untouched', async () => {
    expect(await store.claimBrokerId(info(1), 'first', 5000)).toEqual({ claimed: true, epoch: 1 });
    expect(await store.claimBrokerId(info(1, 9999), 'second', 5000)).toEqual({ claimed: false, holder: info(1) });
    expect(await redis.get(keys.broker(1))).toBe('first');
    expect(await store.brokerEpoch(1)).toBe(1);
    expect((await store.liveBrokers())[0].port).toBe(9001);
    expect(await store.renewBrokerId(info(1), 'first', 1, 5000)).toBe('renewed');
    // the refused process cannot renew or release what it never held
    expect(await store.renewBrokerId(info(1, 9999), 'second', 1, 5000)).toBe('fenced');
    expect(await store.releaseBrokerId(1, 'second')).toBe(false);
    expect((await store.liveBrokers()).map((b) => b.id)).toEqual([1]);
  });

  it('gives the same token its epoch back when it claims twice (a lost reply), without a new epoch', async () => {
    expect(await store.claimBrokerId(info(1), 'a', 5000)).toEqual({ claimed: true, epoch: 1 });
    expect(await store.claimBrokerId(info(1), 'a', 5000)).toEqual({ claimed: true, epoch: 1 });
  });

  it('bumps the broker epoch with every new incarnation, and never below the floor given', async () => {
    expect(await store.claimBrokerId(info(1), 'a', 100)).toEqual({ claimed: true, epoch: 1 });
    await sleep(200);
    expect(await store.claimBrokerId(info(1), 'b', 5000)).toEqual({ claimed: true, epoch: 2 });
    await store.releaseBrokerId(1, 'b');
    // Redis lost the counter but the data directory remembers epoch 41: the next is 42.
    await redis.hdel(keys.brokerEpochs, '1');
    expect(await store.claimBrokerId(info(1), 'c', 5000, '', 41)).toEqual({ claimed: true, epoch: 42 });
  });

  it('lets a claim take over at once from a holder proven dead (its token), not from any other', async () => {
    await store.claimBrokerId(info(1), 'dead', 60_000);
    expect(await store.claimBrokerId(info(1), 'new', 5000, 'someone-else')).toMatchObject({ claimed: false });
    expect(await store.claimBrokerId(info(1), 'new', 5000, 'dead')).toEqual({ claimed: true, epoch: 2 });
    expect(await store.renewBrokerId(info(1), 'dead', 1, 5000)).toBe('fenced');
  });

  it('fences a lapsed holder once another incarnation claimed the id, even after that one left', async () => {
    await store.claimBrokerId(info(1), 'paused', 100);
    await sleep(200);
    await store.claimBrokerId(info(1), 'successor', 5000);
    expect(await store.renewBrokerId(info(1), 'paused', 1, 5000)).toBe('fenced');
    await store.releaseBrokerId(1, 'successor');
    expect(await store.renewBrokerId(info(1), 'paused', 1, 5000)).toBe('fenced');
    expect(await store.liveBrokers()).toEqual([]);
  });

  it('lets a lapsed holder come back under its epoch while nobody claimed the id since', async () => {
    await store.claimBrokerId(info(1), 'paused', 100);
    await sleep(200);
    expect(await store.liveBrokers()).toEqual([]);
    expect(await store.renewBrokerId(info(1), 'paused', 1, 5000)).toBe('reborn');
    expect(await store.renewBrokerId(info(1), 'paused', 1, 5000)).toBe('renewed');
    expect((await store.snapshot()).brokerEpochs.get(1)).toBe(1);
  });

  it('keeps a released id released for the old token, and lets only the holder release', async () => {
    await store.claimBrokerId(info(1), 'a', 5000);
    expect(await store.releaseBrokerId(1, 'a')).toBe(true);
    expect(await store.releaseBrokerId(1, 'a')).toBe(false);
    expect(await store.claimBrokerId(info(1), 'b', 5000)).toEqual({ claimed: true, epoch: 2 });
  });
});
