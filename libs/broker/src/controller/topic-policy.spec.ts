import { ErrorCode } from '@tributary/protocol';
import { codeOf, topicSnapshot } from './testing/topic-snapshot';
import { TopicCreationPolicy } from './topic-policy';

describe('TopicCreationPolicy', () => {
  const limits = { maxPartitionsPerBroker: 10, maxMessageBytes: 8 * 1024 * 1024 - 1024 };

  it('reserves names starting with __ and refuses names that collide by . and _', () => {
    const policy = new TopicCreationPolicy(topicSnapshot({ a_b: [[1]] }), [1, 2], limits);
    expect(codeOf(() => policy.checkName('__consumer_offsets'))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(codeOf(() => policy.checkName('a.b'))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(() => policy.checkName('a.b')).toThrow("existing topic 'a_b'");
    expect(codeOf(() => policy.checkName('a_b'))).toBe(ErrorCode.NONE); // the same name is TOPIC_ALREADY_EXISTS later, not a collision
    expect(codeOf(() => policy.checkName('_a'))).toBe(ErrorCode.NONE);
  });

  it('counts topics earlier in the same request, for names and for the per-broker budget', () => {
    const policy = new TopicCreationPolicy(
      topicSnapshot({
        old: [
          [1, 2],
          [2, 1],
        ],
      }),
      [1, 2],
      limits,
    );
    // 2 replicas each already; 8 more fit on each broker
    policy.checkRoom({ name: 'x.y', numPartitions: 8, replicationFactor: 2 });
    policy.admit(
      'x.y',
      Array.from({ length: 8 }, () => [1, 2]),
      true,
    );
    expect(codeOf(() => policy.checkName('x_y'))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(codeOf(() => policy.checkRoom({ name: 'more', numPartitions: 1, replicationFactor: 1 }))).toBe(ErrorCode.POLICY_VIOLATION);
  });

  it('refuses an assignment that overloads one broker even when the total fits', () => {
    const policy = new TopicCreationPolicy(topicSnapshot({ old: Array.from({ length: 9 }, () => [1]) }), [1, 2], limits);
    policy.checkRoom({ name: 't', numPartitions: 2, replicationFactor: 1 }); // 1 + 10 room in total
    expect(codeOf(() => policy.admit('t', [[1], [1]], true))).toBe(ErrorCode.POLICY_VIOLATION);
    expect(codeOf(() => policy.admit('t', [[1], [2]], true))).toBe(ErrorCode.NONE);
  });

  it('counts room on live brokers only', () => {
    // broker 3 is gone; its replicas stay assigned but it offers no room
    const policy = new TopicCreationPolicy(topicSnapshot({ old: [[3]] }), [1], limits);
    expect(codeOf(() => policy.checkRoom({ name: 't', numPartitions: 11, replicationFactor: 1 }))).toBe(ErrorCode.POLICY_VIOLATION);
    expect(codeOf(() => policy.checkRoom({ name: 't', numPartitions: 10, replicationFactor: 1 }))).toBe(ErrorCode.NONE);
  });

  it('refuses a 50,000-partition topic before computing an assignment', () => {
    const policy = new TopicCreationPolicy(topicSnapshot({}), [1, 2, 3], { ...limits, maxPartitionsPerBroker: 4000 });
    expect(() => policy.checkRoom({ name: 'huge', numPartitions: 50_000, replicationFactor: 3 })).toThrow(/needs 150000 replicas .* room for 12000/);
  });

  it('keeps max.message.bytes within what one request can carry', () => {
    const policy = new TopicCreationPolicy(topicSnapshot({}), [1], limits);
    expect(codeOf(() => policy.checkConfig({ 'max.message.bytes': String(64 * 1024 * 1024) }))).toBe(ErrorCode.INVALID_CONFIG);
    expect(codeOf(() => policy.checkConfig({ 'max.message.bytes': String(4 * 1024 * 1024) }))).toBe(ErrorCode.NONE);
  });
});
