import Redis from 'ioredis';
import { Coordination } from '../coordination';
import { Keys } from '../keys';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('QuotaStore (real Redis)', () => {
  let coordination: Coordination;
  let cluster: string;

  beforeEach(() => {
    cluster = `spec-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    coordination = Coordination.connect({ redisUrl: REDIS_URL, cluster });
  });

  afterEach(async () => {
    const redis = new Redis(REDIS_URL);
    await redis.del(new Keys(cluster).clientQuotas);
    redis.disconnect();
    await coordination.close();
  });

  it('merges rate changes per entity, removes a rate with null and the entry with its last rate', async () => {
    const q = coordination.quotas;
    expect(await q.alter({ clientId: 'c1' }, { producerByteRate: 1000, requestRate: 5 })).toEqual({ producerByteRate: 1000, requestRate: 5 });
    // the same entity however its keys are ordered
    expect(await q.alter({ clientId: 'c1' }, { consumerByteRate: 2000 })).toEqual({ producerByteRate: 1000, consumerByteRate: 2000, requestRate: 5 });
    await q.alter({ principal: 'User:alice', clientId: 'c1' }, { requestRate: 9 });
    expect(await q.alter({ clientId: 'c1' }, { producerByteRate: null })).toEqual({ consumerByteRate: 2000, requestRate: 5 });
    expect(await q.list()).toEqual(
      expect.arrayContaining([
        { entity: { clientId: 'c1' }, values: { consumerByteRate: 2000, requestRate: 5 } },
        { entity: { principal: 'User:alice', clientId: 'c1' }, values: { requestRate: 9 } },
      ]),
    );
    expect(await q.alter({ principal: 'User:alice', clientId: 'c1' }, { requestRate: null })).toEqual({});
    expect(await q.list()).toEqual([{ entity: { clientId: 'c1' }, values: { consumerByteRate: 2000, requestRate: 5 } }]);
  });
});
