import { TributaryError } from '../errors';

/** A topic's settings, typed; the wire and Redis keep them as Kafka-named strings. */
export interface TopicConfig {
  'retention.ms': number;
  'retention.bytes': number;
  'segment.bytes': number;
  'segment.ms': number;
  'max.message.bytes': number;
  'min.insync.replicas': number;
  'unclean.leader.election.enable': boolean;
}

export const TOPIC_CONFIG_DEFAULTS: TopicConfig = {
  'retention.ms': 14 * 24 * 3600 * 1000,
  'retention.bytes': -1,
  'segment.bytes': 1024 * 1024 * 1024,
  'segment.ms': 7 * 24 * 3600 * 1000,
  'max.message.bytes': 1024 * 1024 + 12,
  'min.insync.replicas': 1,
  'unclean.leader.election.enable': false,
};

type Key = keyof TopicConfig;
const BOUNDS: Record<Exclude<Key, 'unclean.leader.election.enable'>, [number, number]> = {
  'retention.ms': [-1, Number.MAX_SAFE_INTEGER],
  'retention.bytes': [-1, Number.MAX_SAFE_INTEGER],
  'segment.bytes': [14, 0x7fffffff],
  'segment.ms': [1, Number.MAX_SAFE_INTEGER],
  'max.message.bytes': [0, 0x7fffffff],
  'min.insync.replicas': [1, 0x7fffffff],
};

/**
 * Reads Kafka-style string configs over the defaults; an unknown key or a bad value is
 * INVALID_CONFIG naming the key, so a typo is never silently ignored.
 */
export function parseTopicConfig(raw: Record<string, string> = {}, defaults: TopicConfig = TOPIC_CONFIG_DEFAULTS): TopicConfig {
  const config: TopicConfig = { ...defaults };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'unclean.leader.election.enable') {
      if (value !== 'true' && value !== 'false') throw invalid(key, value, 'true or false');
      config[key] = value === 'true';
      continue;
    }
    if (!(key in BOUNDS)) throw TributaryError.of('INVALID_CONFIG', `unknown topic config '${key}'`);
    const k = key as keyof typeof BOUNDS;
    const n = Number(value);
    const [min, max] = BOUNDS[k];
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw invalid(key, value, `an integer from ${min} to ${max}`);
    }
    config[k] = n;
  }
  return config;
}

export function topicConfigToStrings(config: TopicConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) out[k] = String(v);
  return out;
}

function invalid(key: string, value: string, expected: string): TributaryError {
  return TributaryError.of('INVALID_CONFIG', `topic config '${key}' = '${value}' is invalid: expected ${expected}`);
}
