import { ErrorCode, type TributaryError } from '../errors';
import { alterTopicConfigs, describeTopicConfig, TOPIC_CONFIG_DEFAULTS, TOPIC_CONFIG_KEYS } from './topic-config';

function errorOf(fn: () => unknown): TributaryError {
  try {
    fn();
  } catch (err) {
    return err as TributaryError;
  }
  throw new Error('expected an error');
}

describe('alterTopicConfigs (incremental alter: set and delete)', () => {
  it('sets over the current configs and returns deleted keys to the default', () => {
    expect(alterTopicConfigs({ 'retention.ms': '1000', 'segment.bytes': '2048' }, { 'retention.bytes': '10' }, ['segment.bytes'])).toEqual({
      'retention.ms': '1000',
      'retention.bytes': '10',
    });
  });

  it('refuses the whole change for one bad value, naming its key; the input is left alone', () => {
    const current = { 'retention.ms': '1000' };
    const err = errorOf(() => alterTopicConfigs(current, { 'retention.ms': '5', 'max.message.bytes': '-3' }));
    expect(err.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(err.message).toContain("'max.message.bytes'");
    expect(current).toEqual({ 'retention.ms': '1000' });
  });

  it('refuses unknown keys to set or delete, and a key both set and deleted', () => {
    expect(errorOf(() => alterTopicConfigs({}, { 'retention.msec': '1' })).message).toContain('retention.msec');
    expect(errorOf(() => alterTopicConfigs({}, {}, ['cleanup.policy'])).message).toContain('cleanup.policy');
    expect(errorOf(() => alterTopicConfigs({}, { 'retention.ms': '1' }, ['retention.ms'])).code).toBe(ErrorCode.INVALID_CONFIG);
  });
});

describe('describeTopicConfig', () => {
  it('lists every config, sorted, with its value and whether the topic sets it', () => {
    const described = describeTopicConfig({ 'retention.ms': '60000' }, { ...TOPIC_CONFIG_DEFAULTS, 'segment.bytes': 4096 });
    expect(described.map((c) => c.name)).toEqual([...TOPIC_CONFIG_KEYS]);
    expect(described.find((c) => c.name === 'retention.ms')).toEqual({ name: 'retention.ms', value: '60000', source: 'topic', isDefault: false });
    expect(described.find((c) => c.name === 'segment.bytes')).toEqual({ name: 'segment.bytes', value: '4096', source: 'default', isDefault: true });
    expect(described.find((c) => c.name === 'message.timestamp.before.max.ms')?.value).toBe('9223372036854775807');
  });
});
