import type { PartitionState } from '@tributary/coordination';
import { assignReplicas } from '@tributary/coordination';
import { imbalancedPartitions, planDecommission } from './reassignment-plan';

const state = (topic: string, partition: number, replicas: number[], leader = replicas[0], isr = replicas): PartitionState => ({
  topic,
  partition,
  replicas,
  leader,
  leaderEpoch: 1,
  isr,
});

describe('planDecommission', () => {
  it('moves every replica off the broker, balanced within one replica, never two replicas of a partition on one broker', () => {
    for (const [brokers, partitions, rf] of [
      [5, 12, 3],
      [4, 12, 3],
      [6, 30, 2],
    ] as const) {
      const ids = Array.from({ length: brokers }, (_, i) => i + 1);
      const layout = assignReplicas(ids, partitions, rf, 1, 2).map((r, p) => state('t', p, r));
      const moves = planDecommission(layout, 2, ids);
      const after = layout.map((p) => moves.find((m) => m.partition === p.partition)?.to ?? p.replicas);
      expect(moves.length).toBe(layout.filter((p) => p.replicas.includes(2)).length);
      const load = new Map<number, number>();
      for (const r of after) {
        expect(new Set(r).size).toBe(r.length);
        expect(r).not.toContain(2);
        for (const b of r) load.set(b, (load.get(b) ?? 0) + 1);
      }
      // Balanced within one replica, or no worse than the others were before the move (the
      // plan only places the leaving replicas, it does not move the others).
      const before = new Map<number, number>(ids.filter((b) => b !== 2).map((b) => [b, 0]));
      for (const p of layout) for (const b of p.replicas) if (before.has(b)) before.set(b, (before.get(b) ?? 0) + 1);
      const spread = (m: Map<number, number>) => Math.max(...m.values()) - Math.min(...m.values());
      expect({ brokers, partitions, rf, spread: spread(load) <= Math.max(1, spread(before)) }).toEqual({ brokers, partitions, rf, spread: true });
    }
  });

  it('keeps the leaving replica position, so a leaving preferred leader is replaced as preferred', () => {
    const moves = planDecommission([state('t', 0, [3, 1, 2])], 3, [1, 2, 3, 4]);
    expect(moves).toEqual([{ topic: 't', partition: 0, from: [3, 1, 2], to: [4, 1, 2] }]);
  });

  it('refuses when the remaining brokers cannot hold the replication factor', () => {
    expect(() => planDecommission([state('t', 0, [1, 2, 3])], 3, [1, 2, 3])).toThrow(/INVALID_REPLICA_ASSIGNMENT|cannot move/);
  });
});

describe('imbalancedPartitions', () => {
  it('elects only past the percentage, and only preferred replicas that are live and in the ISR', () => {
    const parts = Array.from({ length: 10 }, (_, p) => state('t', p, [1, 2, 3]));
    expect(imbalancedPartitions(parts, [1, 2, 3], 10)).toEqual([]);
    parts[0] = state('t', 0, [1, 2, 3], 2);
    expect(imbalancedPartitions(parts, [1, 2, 3], 10)).toEqual([]); // 1 of 10 is 10%: not above
    parts[1] = state('t', 1, [1, 2, 3], 3);
    parts[2] = state('t', 2, [1, 2, 3], 3, [2, 3]);
    expect(imbalancedPartitions(parts, [1, 2, 3], 10).map((p) => p.partition)).toEqual([0, 1]);
    expect(imbalancedPartitions(parts, [2, 3], 10)).toEqual([]);
  });
});
