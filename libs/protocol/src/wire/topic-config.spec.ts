import { ErrorCode, TributaryError } from '../errors';
import { parseTopicConfig, TOPIC_CONFIG_DEFAULTS, topicConfigToStrings } from './topic-config';

const codeOf = (raw: Record<string, string>): number | null => {
  try {
    parseTopicConfig(raw);
    return null;
  } catch (err) {
    return err instanceof TributaryError ? err.code : -999;
  }
};

describe('timestamp topic configs', () => {
  it('defaults to CreateTime, an unbounded past and one hour of future (Kafka 4)', () => {
    expect(TOPIC_CONFIG_DEFAULTS['message.timestamp.type']).toBe('CreateTime');
    expect(TOPIC_CONFIG_DEFAULTS['message.timestamp.after.max.ms']).toBe(3_600_000);
    expect(topicConfigToStrings(TOPIC_CONFIG_DEFAULTS)['message.timestamp.before.max.ms']).toBe('9223372036854775807');
  });

  it('reads Kafka spellings, and Long.MAX round-trips through the stored strings', () => {
    const c = parseTopicConfig({
      'message.timestamp.type': 'LogAppendTime',
      'message.timestamp.before.max.ms': '60000',
      'message.timestamp.after.max.ms': '9223372036854775807',
    });
    expect(c['message.timestamp.type']).toBe('LogAppendTime');
    expect(c['message.timestamp.before.max.ms']).toBe(60_000);
    expect(c['message.timestamp.after.max.ms']).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseTopicConfig(topicConfigToStrings(c))).toEqual(c);
  });

  it('refuses bad values with INVALID_CONFIG', () => {
    const refused: Array<Record<string, string>> = [
      { 'message.timestamp.type': 'createtime' },
      { 'message.timestamp.type': '' },
      { 'message.timestamp.before.max.ms': '-1' },
      { 'message.timestamp.after.max.ms': '9223372036854775808' },
      { 'message.timestamp.after.max.ms': '1e3' },
      { 'message.timestamp.after.max.ms': ' 5' },
      { 'message.timestamp.difference.max.ms': '5' },
    ];
    for (const raw of refused) {
      expect(codeOf(raw)).toBe(ErrorCode.INVALID_CONFIG);
    }
  });
});
