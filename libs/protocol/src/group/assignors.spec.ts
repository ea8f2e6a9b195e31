import { computeAssignment, rangeAssign, roundRobinAssign, stickyAssign } from './compute-assignment';
import { flatten, type AssignorInput } from './assignor';

const members = (n: number, owned: Record<string, number[]> = {}): AssignorInput['members'] =>
  Array.from({ length: n }, (_, i) => ({ memberId: `m${i}`, topics: ['t'], owned: owned[`m${i}`] ? [{ topic: 't', partitions: owned[`m${i}`] }] : [] }));
const counts = (n: number) => new Map([['t', n]]);
const sizes = (plan: Map<string, { partitions: number[] }[]>) =>
  [...plan.values()].map((v) => flatten(v.map((x) => ({ topic: 't', partitions: x.partitions }))).length);

describe('assignors', () => {
  for (const [name, assign] of [
    ['range', rangeAssign],
    ['roundrobin', roundRobinAssign],
    ['sticky', stickyAssign],
  ] as const) {
    it(`${name}: every partition exactly once, balanced, extra members idle`, () => {
      for (const n of [1, 3, 6, 7]) {
        const plan = assign({ members: members(n), partitionCounts: counts(6) });
        const all = [...plan.values()].flatMap((v) => v.flatMap((t) => t.partitions));
        expect(all.sort()).toEqual([0, 1, 2, 3, 4, 5]);
        const s = sizes(plan);
        expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
        expect(plan.size).toBe(n);
      }
    });
  }

  it('range gives consecutive ranges', () => {
    const plan = rangeAssign({ members: members(3), partitionCounts: counts(6) });
    expect(plan.get('m0')).toEqual([{ topic: 't', partitions: [0, 1] }]);
    expect(plan.get('m2')).toEqual([{ topic: 't', partitions: [4, 5] }]);
  });

  it('sticky keeps owned partitions and moves only the new member its share', () => {
    const plan = stickyAssign({ members: members(3, { m0: [0, 1, 2], m1: [3, 4, 5] }), partitionCounts: counts(6) });
    const m0 = plan.get('m0')?.[0].partitions ?? [];
    const m1 = plan.get('m1')?.[0].partitions ?? [];
    expect(m0.length).toBe(2);
    expect(m1.length).toBe(2);
    expect(m0.every((p) => [0, 1, 2].includes(p))).toBe(true);
    expect(m1.every((p) => [3, 4, 5].includes(p))).toBe(true);
  });

  it('cooperative-sticky withholds moving partitions in the first phase, hands them over in the second', () => {
    const first = computeAssignment('cooperative-sticky', { members: members(2, { m0: [0, 1, 2, 3] }), partitionCounts: counts(4) });
    expect(first.get('m0')?.[0].partitions).toHaveLength(2);
    expect(first.get('m1')).toEqual([]);
    const kept = first.get('m0')?.[0].partitions ?? [];
    const second = computeAssignment('cooperative-sticky', { members: members(2, { m0: kept }), partitionCounts: counts(4) });
    expect(second.get('m0')?.[0].partitions).toEqual(kept);
    expect(second.get('m1')?.[0].partitions).toEqual([0, 1, 2, 3].filter((p) => !kept.includes(p)));
  });
});
