import { ErrorCode, TributaryError } from '@tributary/protocol';
import { assignReplicas } from './assign-replicas';

describe('assignReplicas', () => {
  it('spreads leaders evenly and never repeats a broker within a partition', () => {
    const a = assignReplicas([1, 2, 3], 6, 3, 0, 0);
    const leaders = a.map((r) => r[0]);
    expect(leaders).toEqual([1, 2, 3, 1, 2, 3]);
    for (const r of a) expect(new Set(r).size).toBe(3);
  });

  it('matches Kafka for start 0 shift 0 with RF 2', () => {
    expect(assignReplicas([0, 1, 2, 3, 4], 10, 2, 0, 0)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 0],
      [0, 2],
      [1, 3],
      [2, 4],
      [3, 0],
      [4, 1],
    ]);
  });

  it('rejects a replication factor above the live brokers', () => {
    expect(() => assignReplicas([1, 2], 3, 3)).toThrow(TributaryError);
    try {
      assignReplicas([1, 2], 3, 3);
    } catch (e) {
      expect((e as TributaryError).code).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    }
  });
});
