import { TOPIC_CONFIG_DEFAULTS, TributaryError } from '@tributary/protocol';

export interface LogConfig {
  /** roll the active segment before an append would make it exceed this */
  segmentBytes: number;
  /** roll when the active segment's first batch was appended longer ago than this */
  segmentMs: number;
  /** sparse index: one .index and .timeindex entry per this many bytes */
  indexIntervalBytes: number;
  /** 0 = fsync after every append; otherwise fsync on segment roll and on this interval */
  flushIntervalMs: number;
  /** -1 = forever */
  retentionMs: number;
  /** -1 = unlimited */
  retentionBytes: number;
  /** producer state of a producer silent this long is dropped (Kafka's producer.id.expiration.ms) */
  producerIdExpirationMs: number;
}

/**
 * The topic-level values are the topic config defaults' (libs/protocol owns them); the log
 * owns only what is not a topic config: the index interval and the flush interval.
 */
export const DEFAULT_LOG_CONFIG: LogConfig = Object.freeze({
  segmentBytes: TOPIC_CONFIG_DEFAULTS['segment.bytes'],
  segmentMs: TOPIC_CONFIG_DEFAULTS['segment.ms'],
  indexIntervalBytes: 4096,
  flushIntervalMs: 1000,
  retentionMs: TOPIC_CONFIG_DEFAULTS['retention.ms'],
  retentionBytes: TOPIC_CONFIG_DEFAULTS['retention.bytes'],
  producerIdExpirationMs: 86_400_000,
});

/** Index entries store file positions as int32, so no segment may grow past this. */
const MAX_SEGMENT_BYTES = 0x7fffffff;

/** Merges overrides onto the defaults and rejects values the log cannot honour, before any file is touched. */
export function resolveLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  const config: LogConfig = { ...DEFAULT_LOG_CONFIG };
  for (const key of Object.keys(DEFAULT_LOG_CONFIG) as (keyof LogConfig)[]) {
    const value = overrides[key];
    if (value !== undefined) config[key] = value;
  }
  check(config, 'segmentBytes', (v) => v >= 1 && v <= MAX_SEGMENT_BYTES, `between 1 and ${MAX_SEGMENT_BYTES}`);
  check(config, 'segmentMs', (v) => v >= 1, 'at least 1');
  check(config, 'indexIntervalBytes', (v) => v >= 0, 'at least 0');
  check(config, 'flushIntervalMs', (v) => v >= 0, 'at least 0');
  check(config, 'retentionMs', (v) => v >= -1, '-1 (forever) or more');
  check(config, 'retentionBytes', (v) => v >= -1, '-1 (unlimited) or more');
  check(config, 'producerIdExpirationMs', (v) => v >= 1, 'at least 1');
  return config;
}

function check(config: LogConfig, key: keyof LogConfig, ok: (v: number) => boolean, expected: string): void {
  const v = config[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || !ok(v)) {
    throw TributaryError.of('INVALID_CONFIG', `log config ${key} must be an integer ${expected}, got ${String(v)}`);
  }
}
