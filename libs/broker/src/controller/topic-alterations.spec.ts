import { ErrorCode, TOPIC_CONFIG_DEFAULTS } from '@tributary/protocol';
import { codeOf, topicSnapshot } from './testing/topic-snapshot';
import { TopicAlterations } from './topic-alterations';

const LIMITS = { topicDefaults: TOPIC_CONFIG_DEFAULTS, maxPartitions: 100, maxPartitionsPerBroker: 10, maxMessageBytes: 1_000_000 };

describe('TopicAlterations.createPartitions', () => {
  it('adds partitions after the last one, leaders continuing the round, with the topic’s replication factor', () => {
    const plan = new TopicAlterations(
      topicSnapshot(
        {
          t: [
            [1, 2],
            [2, 3],
          ],
        },
        [1, 2, 3],
      ),
      LIMITS,
    );
    const change = plan.createPartitions({ name: 't', count: 5 });
    expect(change.next).toMatchObject({ id: 't-id', partitionCount: 5, configs: { 'retention.ms': '1000' } });
    expect(change.added.map((p) => p.partition)).toEqual([2, 3, 4]);
    expect(change.added.map((p) => p.leader)).toEqual([3, 1, 2]);
    for (const p of change.added) {
      expect(p.replicas).toHaveLength(2);
      expect(new Set(p.replicas).size).toBe(2);
      expect(p).toMatchObject({ leaderEpoch: 0, isr: p.replicas, leader: p.replicas[0] });
    }
  });

  it('grows only (INVALID_PARTITIONS), within the per-broker budget (POLICY_VIOLATION), and only existing topics', () => {
    const plan = new TopicAlterations(topicSnapshot({ t: [[1, 2]] }, [1, 2]), LIMITS);
    expect(codeOf(() => plan.createPartitions({ name: 't', count: 1 }))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(codeOf(() => plan.createPartitions({ name: 't', count: 101 }))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(codeOf(() => plan.createPartitions({ name: 't', count: 11 }))).toBe(ErrorCode.POLICY_VIOLATION);
    expect(codeOf(() => plan.createPartitions({ name: 'nope', count: 2 }))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe('TopicAlterations.alterConfigs', () => {
  it('changes only the configs, and refuses a max.message.bytes no request could carry', () => {
    const plan = new TopicAlterations(topicSnapshot({ t: [[1]] }, [1]), LIMITS);
    const change = plan.alterConfigs({ name: 't', set: { 'segment.ms': '60000' }, delete: ['retention.ms'] });
    expect(change.next).toEqual({ ...change.expected, configs: { 'segment.ms': '60000' } });
    expect(change.added).toEqual([]);
    expect(codeOf(() => plan.alterConfigs({ name: 't', set: { 'max.message.bytes': '2000000' } }))).toBe(ErrorCode.INVALID_CONFIG);
  });
});
