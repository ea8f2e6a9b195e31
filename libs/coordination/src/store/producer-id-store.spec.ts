import type { Coordination } from '../coordination';
import { scratchCluster, type ScratchCluster } from '../testing/scratch-cluster';

describe('ProducerIdStore (real Redis, initProducerId-1.lua)', () => {
  let coordination: Coordination;
  let scratch: ScratchCluster;

  beforeEach(() => {
    scratch = scratchCluster();
    coordination = scratch.coordination;
  });

  afterEach(() => scratch.drop());

  it('hands out unique ids at epoch 0, even to concurrent callers', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => coordination.producerIds.initProducerId()));
    expect(new Set(ids.map((i) => i.producerId)).size).toBe(20);
    expect(ids.every((i) => i.producerEpoch === 0)).toBe(true);
  });

  it('bumps the epoch of an id it handed out (KIP-360), and gives a fresh id once the epoch is exhausted or the id was never handed out', async () => {
    const { producerId } = await coordination.producerIds.initProducerId();
    expect(await coordination.producerIds.initProducerId({ producerId, producerEpoch: 0 })).toEqual({ producerId, producerEpoch: 1 });
    const exhausted = await coordination.producerIds.initProducerId({ producerId, producerEpoch: 32766 });
    expect(exhausted.producerId).not.toBe(producerId);
    expect(exhausted.producerEpoch).toBe(0);
    const bogus = await coordination.producerIds.initProducerId({ producerId: 1_000_000, producerEpoch: 3 });
    expect(bogus).toEqual({ producerId: exhausted.producerId + 1, producerEpoch: 0 });
  });
});
