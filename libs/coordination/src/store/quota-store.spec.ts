import type { Coordination } from '../coordination';
import { scratchCluster, type ScratchCluster } from '../testing/scratch-cluster';

describe('QuotaStore (real Redis)', () => {
  let coordination: Coordination;
  let scratch: ScratchCluster;

  beforeEach(() => {
    scratch = scratchCluster();
    coordination = scratch.coordination;
  });

  afterEach(() => scratch.drop());

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
