import { z } from 'zod';
import { checkLimits, limitSettings, readLimits, type BrokerLimits } from './limits-config';

/**
 * A broker's settings, validated once at start. Each comes from an environment variable of
 * the same name in UPPER_SNAKE case (see the README's configuration table).
 */
const schema = z.object({
  BROKER_ID: z.coerce.number().int().min(0).max(0x7fffffff),
  PORT: z.coerce.number().int().min(1).max(65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  ADVERTISED_HOST: z.string().min(1).optional(),
  INTER_BROKER_HOST: z.string().min(1).optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
  DATA_DIR: z.string().min(1),
  CLUSTER_ID: z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/, 'use 1 to 64 of [a-zA-Z0-9._-]').default('local'),
  BROKER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(6000),
  CONTROLLER_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(5000),
  LEADER_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(1500),
  REPLICA_LAG_TIME_MAX_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  REPLICA_STALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).optional(),
  REPLICATION_STREAM_MAXLEN: z.coerce.number().int().min(10).max(10_000_000).default(2000),
  METADATA_REFRESH_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  LOG_SEGMENT_BYTES: z.coerce.number().int().min(1024).max(0x7fffffff).default(1024 * 1024 * 1024),
  LOG_FLUSH_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(1000),
  LOG_RETENTION_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(300_000),
  INTER_BROKER_SECRET: z
    .string()
    .min(32, 'use at least 32 characters (e.g. `openssl rand -base64 32`)')
    .max(1024)
    .regex(/^\S(.*\S)?$/, 'must not start or end with whitespace')
    .optional(),
  LOG_MAX_OPEN_SEGMENT_FILES: z.coerce.number().int().min(16).max(1_000_000).default(10_000),
  MAX_REQUEST_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(8 * 1024 * 1024),
  ...limitSettings,
});

export type BrokerEnv = z.input<typeof schema>;

export interface BrokerConfig {
  brokerId: number;
  port: number;
  host: string;
  advertisedHost: string;
  /** the host other brokers reach this one at (replica catch-up fetches); differs from advertisedHost behind NAT or in containers */
  interBrokerHost: string;
  redisUrl: string;
  dataDir: string;
  clusterId: string;
  brokerSessionTimeoutMs: number;
  controllerLeaseMs: number;
  /** a partition leader's lease; it stops acknowledging before the lease can lapse */
  leaderLeaseMs: number;
  replicaLagTimeMaxMs: number;
  /** an ISR follower that owes data and has not reported for this long leaves the ISR (default: the leader lease) */
  replicaStallTimeoutMs: number;
  /** entries kept per partition's replication stream; a follower further behind fetches directly */
  replicationStreamMaxLen: number;
  metadataRefreshMs: number;
  logSegmentBytes: number;
  logFlushIntervalMs: number;
  logRetentionCheckIntervalMs: number;
  /** segment .log files this process keeps open at most (least recently used closed first); unset = the log's default */
  logMaxOpenSegmentFiles?: number;
  maxRequestBytes: number;
  /** the cluster secret brokers prove to each other; undefined: the one kept in the coordination Redis */
  interBrokerSecret?: string;
  /** request, fetch, partition and connection limits (see limits-config.ts) */
  limits: BrokerLimits;
}

/** Settings whose values never appear in an error message. */
const SECRET_SETTINGS: ReadonlySet<string> = new Set(['INTER_BROKER_SECRET']);

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads the settings from an environment; a bad one throws ConfigError naming it. */
export function loadBrokerConfig(env: Record<string, string | undefined>): BrokerConfig {
  const known = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = schema.safeParse(known);
  if (!parsed.success) {
    const msgs = parsed.error.issues.map((i) => {
      const name = i.path.join('.');
      const value = SECRET_SETTINGS.has(name) && env[name] !== undefined ? '<redacted>' : env[name];
      return `${name}${value === undefined ? ' (not set)' : `='${value}'`}: ${i.message}`;
    });
    throw new ConfigError(`invalid broker configuration: ${msgs.join('; ')}`);
  }
  const c = parsed.data;
  const crossField = checkLimits(c);
  if (crossField) throw new ConfigError(`invalid broker configuration: ${crossField}`);
  if (c.REPLICA_STALL_TIMEOUT_MS !== undefined && c.REPLICA_STALL_TIMEOUT_MS > c.REPLICA_LAG_TIME_MAX_MS) {
    throw new ConfigError(`invalid broker configuration: REPLICA_STALL_TIMEOUT_MS='${c.REPLICA_STALL_TIMEOUT_MS}': must not exceed REPLICA_LAG_TIME_MAX_MS (${c.REPLICA_LAG_TIME_MAX_MS})`);
  }
  return {
    brokerId: c.BROKER_ID,
    port: c.PORT,
    host: c.HOST,
    advertisedHost: c.ADVERTISED_HOST ?? c.HOST,
    interBrokerHost: c.INTER_BROKER_HOST ?? c.ADVERTISED_HOST ?? c.HOST,
    redisUrl: c.REDIS_URL,
    dataDir: c.DATA_DIR,
    clusterId: c.CLUSTER_ID,
    brokerSessionTimeoutMs: c.BROKER_SESSION_TIMEOUT_MS,
    controllerLeaseMs: c.CONTROLLER_LEASE_MS,
    leaderLeaseMs: c.LEADER_LEASE_MS,
    replicaLagTimeMaxMs: c.REPLICA_LAG_TIME_MAX_MS,
    replicaStallTimeoutMs: c.REPLICA_STALL_TIMEOUT_MS ?? c.LEADER_LEASE_MS,
    replicationStreamMaxLen: c.REPLICATION_STREAM_MAXLEN,
    metadataRefreshMs: c.METADATA_REFRESH_MS,
    logSegmentBytes: c.LOG_SEGMENT_BYTES,
    logFlushIntervalMs: c.LOG_FLUSH_INTERVAL_MS,
    logRetentionCheckIntervalMs: c.LOG_RETENTION_CHECK_INTERVAL_MS,
    logMaxOpenSegmentFiles: c.LOG_MAX_OPEN_SEGMENT_FILES,
    maxRequestBytes: c.MAX_REQUEST_BYTES,
    interBrokerSecret: c.INTER_BROKER_SECRET,
    limits: readLimits(c),
  };
}
