import type { TimestampType } from '../batch/batch-timestamps';
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
  'message.timestamp.type': TimestampType;
  /** how far in the past a create time may lie (KIP-937); at or above 2^53 means unbounded */
  'message.timestamp.before.max.ms': number;
  /** how far in the future a create time may lie (KIP-937) */
  'message.timestamp.after.max.ms': number;
}

/** Kafka's Long.MAX_VALUE, the spelling of "unbounded" for the timestamp bounds. */
const LONG_MAX = '9223372036854775807';

export const TOPIC_CONFIG_DEFAULTS: TopicConfig = {
  'retention.ms': 14 * 24 * 3600 * 1000,
  'retention.bytes': -1,
  'segment.bytes': 1024 * 1024 * 1024,
  'segment.ms': 7 * 24 * 3600 * 1000,
  'max.message.bytes': 1024 * 1024 + 12,
  'min.insync.replicas': 1,
  'unclean.leader.election.enable': false,
  'message.timestamp.type': 'CreateTime',
  // Kafka's defaults since 4.0: the past unbounded, the future one hour. Kafka 3.x let the
  // future be unbounded too, which is how a maxTimestamp of 2^63-1 got in.
  'message.timestamp.before.max.ms': Number.MAX_SAFE_INTEGER,
  'message.timestamp.after.max.ms': 3600 * 1000,
};

const TIMESTAMP_BOUND_KEYS = new Set(['message.timestamp.before.max.ms', 'message.timestamp.after.max.ms']);

type Key = keyof TopicConfig;
const BOUNDS: Record<
  Exclude<Key, 'unclean.leader.election.enable' | 'message.timestamp.type' | 'message.timestamp.before.max.ms' | 'message.timestamp.after.max.ms'>,
  [number, number]
> = {
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
    if (key === 'message.timestamp.type') {
      if (value !== 'CreateTime' && value !== 'LogAppendTime') throw invalid(key, value, 'CreateTime or LogAppendTime');
      config[key] = value;
      continue;
    }
    if (TIMESTAMP_BOUND_KEYS.has(key)) {
      // Kafka takes any long >= 0; beyond 2^53 ms (285,000 years) every value means the same.
      if (!/^\d{1,19}$/.test(value) || BigInt(value) > BigInt(LONG_MAX)) throw invalid(key, value, `an integer from 0 to ${LONG_MAX}`);
      config[key as 'message.timestamp.after.max.ms'] = Math.min(Number(value), Number.MAX_SAFE_INTEGER);
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
  for (const [k, v] of Object.entries(config)) out[k] = TIMESTAMP_BOUND_KEYS.has(k) && v === Number.MAX_SAFE_INTEGER ? LONG_MAX : String(v);
  return out;
}

function invalid(key: string, value: string, expected: string): TributaryError {
  return TributaryError.of('INVALID_CONFIG', `topic config '${key}' = '${value}' is invalid: expected ${expected}`);
}

/** Every topic config name, sorted: what describeConfigs lists and alterConfigs accepts. */
export const TOPIC_CONFIG_KEYS: readonly string[] = Object.keys(TOPIC_CONFIG_DEFAULTS).sort();

/** Each topic config with its value, and whether the topic sets it or the broker default applies. */
export function describeTopicConfig(
  raw: Record<string, string>,
  defaults: TopicConfig = TOPIC_CONFIG_DEFAULTS,
): Array<{ name: string; value: string; source: 'topic' | 'default'; isDefault: boolean }> {
  const values = topicConfigToStrings(parseTopicConfig(raw, defaults));
  return TOPIC_CONFIG_KEYS.map((name) => {
    const set = Object.prototype.hasOwnProperty.call(raw, name);
    return { name, value: values[name], source: set ? 'topic' : 'default', isDefault: !set };
  });
}

/**
 * A topic's stored configs after Kafka's incremental alter: `set` overrides, `remove` returns
 * keys to the default. Every key and value is checked first (INVALID_CONFIG naming the key),
 * so a request with one bad entry changes nothing.
 */
export function alterTopicConfigs(
  current: Record<string, string>,
  set: Record<string, string> = {},
  remove: readonly string[] = [],
  defaults: TopicConfig = TOPIC_CONFIG_DEFAULTS,
): Record<string, string> {
  for (const key of remove) {
    if (!TOPIC_CONFIG_KEYS.includes(key)) throw TributaryError.of('INVALID_CONFIG', `unknown topic config '${key}'`);
    if (Object.prototype.hasOwnProperty.call(set, key)) throw TributaryError.of('INVALID_CONFIG', `topic config '${key}' is both set and deleted`);
  }
  parseTopicConfig(set, defaults);
  const next: Record<string, string> = { ...current, ...set };
  for (const key of remove) delete next[key];
  parseTopicConfig(next, defaults);
  return next;
}
