import { ErrorCode } from '../errors';
import { parseReassignmentRequest } from './reassignment-schemas';

describe('reassignment request parsers', () => {
  const code = (run: () => unknown): number | undefined => {
    try {
      run();
      return undefined;
    } catch (err) {
      return (err as { code?: number }).code;
    }
  };

  it('accepts a target replica set, and null to cancel', () => {
    expect(
      parseReassignmentRequest.alterPartitionReassignments({
        partitions: [
          { topic: 't', partition: 0, replicas: [2, 3, 4] },
          { topic: 't', partition: 1, replicas: null },
        ],
      }),
    ).toEqual({
      partitions: [
        { topic: 't', partition: 0, replicas: [2, 3, 4] },
        { topic: 't', partition: 1, replicas: null },
      ],
    });
    expect(parseReassignmentRequest.electLeaders({})).toEqual({});
    expect(parseReassignmentRequest.decommissionBroker({ brokerId: 4 })).toEqual({ brokerId: 4 });
  });

  it('refuses duplicates, empty or out-of-range replica sets, repeated partitions and bad topic names with typed errors', () => {
    const alter = (partitions: unknown) => () => parseReassignmentRequest.alterPartitionReassignments({ partitions });
    expect(code(alter([{ topic: 't', partition: 0, replicas: [2, 2] }]))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(alter([{ topic: 't', partition: 0, replicas: [] }]))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(alter([{ topic: 't', partition: 0, replicas: [-1] }]))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(alter([{ topic: 't', partition: 0, replicas: Array.from({ length: 101 }, (_, i) => i) }]))).toBe(ErrorCode.INVALID_REQUEST);
    expect(
      code(
        alter([
          { topic: 't', partition: 0, replicas: [1] },
          { topic: 't', partition: 0, replicas: [2] },
        ]),
      ),
    ).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(alter([{ topic: '', partition: 0, replicas: [1] }]))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(code(alter([]))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(() => parseReassignmentRequest.decommissionBroker({ brokerId: '4' }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(() => parseReassignmentRequest.electLeaders({ partitions: [{ topic: 't', partition: -1 }] }))).toBe(ErrorCode.INVALID_REQUEST);
  });
});
