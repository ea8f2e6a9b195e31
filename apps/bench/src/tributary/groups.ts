import { performance } from 'perf_hooks';
import type { Batch, ConsumerOptions, Tributary } from '@tributary/client';
import { waitForCondition } from '../measure';

export interface GroupRead {
  /** records handed to the members */
  received: number;
  /** all `total` records arrived before the cap */
  complete: boolean;
  /** from the first subscribe to the last record (or to the cap) */
  seconds: number;
}

/**
 * `members` consumers of a fresh group read `topic` from the beginning until `total` records
 * arrived or `capMs` passed; timed from the first subscribe, so joining counts. Every member
 * leaves the group before this returns.
 */
export async function readAsGroup(
  client: Tributary,
  groupId: string,
  topic: string,
  members: number,
  total: number,
  capMs: number,
  options: ConsumerOptions,
  onBatch: (batch: Batch, received: number) => void = () => undefined,
): Promise<GroupRead> {
  const consumers = Array.from({ length: members }, () => client.consumer({ ...options, groupId }));
  let received = 0;
  let lastAt = 0;
  try {
    const start = performance.now();
    await Promise.all(
      consumers.map(async (c) => {
        await c.subscribe({ topics: [topic], fromBeginning: true });
        await c.run({
          eachBatch: async ({ batch }) => {
            received += batch.messages.length;
            lastAt = performance.now();
            onBatch(batch, received);
          },
        });
      }),
    );
    const complete = await waitForCondition(() => received >= total, capMs, 2);
    return { received, complete, seconds: ((complete ? lastAt : performance.now()) - start) / 1000 };
  } finally {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  }
}
