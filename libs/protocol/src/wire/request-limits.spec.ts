import { ErrorCode } from '../errors';
import { encodeProduceEntries, decodeProduceEntries } from './produce-frame';
import { parseGroupRequest } from './group-schemas';
import { parseRequest } from './schemas';

function codeOf(fn: () => unknown): number {
  try {
    fn();
    return ErrorCode.NONE;
  } catch (err) {
    return (err as { code: number }).code;
  }
}

describe('request limits', () => {
  const part = (partition: number) => ({ topic: 't', partition, fetchOffset: 0, partitionMaxBytes: 100 });
  const fetch = (partitions: unknown[], maxWaitMs = 0) => ({ maxWaitMs, minBytes: 1, maxBytes: 100, partitions });

  it('refuses a topic-partition listed twice, in every request that lists them', () => {
    expect(codeOf(() => parseRequest.fetch(fetch([part(0), part(1)])))).toBe(ErrorCode.NONE);
    expect(codeOf(() => parseRequest.fetch(fetch([part(0), part(1), part(0)])))).toBe(ErrorCode.INVALID_REQUEST);
    expect(
      codeOf(() =>
        parseRequest.listOffsets({
          partitions: [
            { topic: 't', partition: 0, timestamp: -1 },
            { topic: 't', partition: 0, timestamp: -2 },
          ],
        }),
      ),
    ).toBe(ErrorCode.INVALID_REQUEST);
    const commit = {
      groupId: 'g',
      generationId: 1,
      memberId: 'm',
      offsets: [
        { topic: 't', partition: 0, offset: 1 },
        { topic: 't', partition: 0, offset: 2 },
      ],
    };
    expect(codeOf(() => parseGroupRequest.commitOffsets(commit))).toBe(ErrorCode.INVALID_REQUEST);
    expect(
      codeOf(() =>
        parseGroupRequest.fetchOffsets({
          groupId: 'g',
          partitions: [
            { topic: 't', partition: 0 },
            { topic: 't', partition: 0 },
          ],
        }),
      ),
    ).toBe(ErrorCode.INVALID_REQUEST);
    const batches = Buffer.from('x');
    expect(
      codeOf(() =>
        decodeProduceEntries(
          encodeProduceEntries([
            { topic: 't', partition: 0, batches },
            { topic: 't', partition: 0, batches },
          ]),
        ),
      ),
    ).toBe(ErrorCode.INVALID_REQUEST);
    expect(
      decodeProduceEntries(
        encodeProduceEntries([
          { topic: 't', partition: 0, batches },
          { topic: 't', partition: 1, batches },
        ]),
      ),
    ).toHaveLength(2);
  });

  it('bounds a long poll at 30 s', () => {
    expect(codeOf(() => parseRequest.fetch(fetch([part(0)], 30_000)))).toBe(ErrorCode.NONE);
    expect(codeOf(() => parseRequest.fetch(fetch([part(0)], 300_000)))).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('bounds names and lists, and keeps client and member ids to legal characters', () => {
    expect(codeOf(() => parseRequest.metadata({ topics: ['x'.repeat(250)] }))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(codeOf(() => parseRequest.metadata({ topics: Array.from({ length: 10_001 }, (_, i) => `t${i}`) }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(codeOf(() => parseRequest.fetch(fetch([{ ...part(0), topic: 'y'.repeat(32_000) }])))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const join = { groupId: 'g', memberId: '', clientId: 'app-1.a_b', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, topics: ['t'], assignors: ['range'] };
    expect(codeOf(() => parseGroupRequest.joinGroup(join))).toBe(ErrorCode.NONE);
    for (const clientId of ['a\u0000b', '<script>', 'a b', 'é', 'c'.repeat(250)]) {
      expect(codeOf(() => parseGroupRequest.joinGroup({ ...join, clientId }))).toBe(ErrorCode.INVALID_REQUEST);
    }
    expect(codeOf(() => parseGroupRequest.joinGroup({ ...join, memberId: 'm\n' }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(codeOf(() => parseGroupRequest.joinGroup({ ...join, groupId: 'g'.repeat(250) }))).toBe(ErrorCode.INVALID_GROUP_ID);
  });
});
