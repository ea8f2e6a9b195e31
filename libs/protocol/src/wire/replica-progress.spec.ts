import { ErrorCode } from '../errors';
import { parseReplicaProgress } from './replica-progress';
import { RequestLimits } from './request-limits';

const report = (partition = 0, topic = 't') => ({ topic, partition, leaderEpoch: 2, logEndOffset: 100 });
const codeOf = (payload: unknown): number | undefined => {
  try {
    parseReplicaProgress(payload);
    return undefined;
  } catch (err) {
    return (err as { code?: number }).code;
  }
};

describe('replicaProgress parser', () => {
  it('accepts a batch of reports from one replica', () => {
    const r = parseReplicaProgress({ replicaId: 2, brokerEpoch: 5, reports: [report(0), report(1), report(0, 'u')] });
    expect(r.reports).toHaveLength(3);
    expect(r.replicaId).toBe(2);
  });

  it('refuses, with INVALID_REQUEST naming the field, what a broker never sends', () => {
    for (const [payload, field] of [
      [undefined, '(payload)'],
      ['junk', '(payload)'],
      [{ replicaId: 2, brokerEpoch: 5, reports: [] }, 'reports'],
      [{ replicaId: -1, brokerEpoch: 5, reports: [report()] }, 'replicaId'],
      [{ replicaId: 2, reports: [report()] }, 'brokerEpoch'],
      [{ replicaId: 2, brokerEpoch: 5, reports: [report(), report()] }, 'reports.1'],
      [{ replicaId: 2, brokerEpoch: 5, reports: [{ ...report(), logEndOffset: -5 }] }, 'reports.0.logEndOffset'],
      [{ replicaId: 2, brokerEpoch: 5, reports: [{ ...report(), logEndOffset: 2 ** 63 }] }, 'reports.0.logEndOffset'],
      [{ replicaId: 2, brokerEpoch: 5, reports: [{ ...report(), partition: 0.5 }] }, 'reports.0.partition'],
      [{ replicaId: 2, brokerEpoch: 5, reports: [{ ...report(), topic: 'x'.repeat(RequestLimits.maxNameLength + 1) }] }, 'reports.0.topic'],
      [{ replicaId: 2, brokerEpoch: 5, reports: Array.from({ length: RequestLimits.maxPartitionsPerRequest + 1 }, (_, i) => report(i)) }, 'reports'],
    ] as Array<[unknown, string]>) {
      expect(codeOf(payload)).toBe(ErrorCode.INVALID_REQUEST);
      expect(() => parseReplicaProgress(payload)).toThrow(`replicaProgress: ${field}:`);
    }
  });
});
