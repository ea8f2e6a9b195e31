import { z } from 'zod';
import { DEFAULT_LOG_CONFIG, DEFAULT_MAX_OPEN_SEGMENT_FILES } from '@tributary/log';
import { TOPIC_CONFIG_DEFAULTS } from '@tributary/protocol';
import { int, setting, settingDefaultingTo } from './setting';

/**
 * Every broker setting but the limits (limits-config.ts), keyed by the BrokerConfig field it
 * fills, in the README table's order. The env parsing, the BrokerConfig type, the defaults and
 * the README's configuration table all come from here (`npm run docs:config`).
 */
export const brokerSettings = {
  brokerId: setting(
    'BROKER_ID',
    z.coerce.number().int().min(0).max(0x7fffffff),
    'integer id, unique in the cluster: a second live process with the same id exits at start (`DUPLICATE_BROKER_REGISTRATION`)',
  ),
  port: setting('PORT', z.coerce.number().int().min(1).max(65535), 'WebSocket port'),
  dataDir: setting('DATA_DIR', z.string().min(1), "where this broker keeps its partition logs; locked (`DATA_DIR/.lock`) for the broker's lifetime"),
  host: setting('HOST', z.string().min(1).default('127.0.0.1'), 'address to listen on'),
  advertisedHost: settingDefaultingTo('ADVERTISED_HOST', z.string().min(1).optional(), 'host', 'host clients are told to connect to'),
  /** the host other brokers reach this one at (replica catch-up fetches); differs from advertisedHost behind NAT or in containers */
  interBrokerHost: settingDefaultingTo(
    'INTER_BROKER_HOST',
    z.string().min(1).optional(),
    'advertisedHost',
    'host other brokers connect to for replica catch-up (e.g. the compose service name)',
  ),
  redisUrl: setting(
    'REDIS_URL',
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .default('redis://127.0.0.1:6379'),
    'the coordination Redis',
  ),
  clusterId: setting(
    'CLUSTER_ID',
    z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,64}$/, 'use 1 to 64 of [a-zA-Z0-9._-]')
      .default('local'),
    'cluster name; all keys live under `tributary:{CLUSTER_ID}:`',
  ),
  brokerSessionTimeoutMs: setting('BROKER_SESSION_TIMEOUT_MS', int(500, 600_000, 6000), 'a broker that stops renewing its registry key is gone after this'),
  controllerLeaseMs: setting('CONTROLLER_LEASE_MS', int(500, 600_000, 5000), 'controller lease length'),
  /** a partition leader's lease; it stops acknowledging before the lease can lapse */
  leaderLeaseMs: setting(
    'LEADER_LEASE_MS',
    int(300, 600_000, 1500),
    "a partition leader's lease in Redis; it stops acknowledging after 75% of it without a renewal, and an ISR member takes over once it lapses",
  ),
  replicaLagTimeMaxMs: setting(
    'REPLICA_LAG_TIME_MAX_MS',
    int(100, 3_600_000, 10_000),
    "a follower that has not caught up for this long leaves the ISR (Kafka's `replica.lag.time.max.ms`)",
  ),
  /** an ISR follower that owes data and has not reported for this long leaves the ISR (default: the leader lease) */
  replicaStallTimeoutMs: settingDefaultingTo(
    'REPLICA_STALL_TIMEOUT_MS',
    z.coerce.number().int().min(100).max(3_600_000).optional(),
    'leaderLeaseMs',
    "an ISR follower that holds data back (its log ends below the leader's) and has sent no progress report for this long leaves the ISR: a dead or cut-off follower stops stalling acks=all after about a lease, not the whole lag time; at most `REPLICA_LAG_TIME_MAX_MS`",
  ),
  /** entries kept per partition's replication stream; a follower further behind fetches directly */
  replicationStreamMaxLen: setting(
    'REPLICATION_STREAM_MAXLEN',
    int(10, 10_000_000, 2000),
    "entries kept in each partition's replication stream; a follower further behind fetches from the leader directly",
  ),
  /** how followers send their log-end reports to leaders: the Redis ack stream, or the authenticated peer WebSocket */
  replicaAcksTransport: setting(
    'REPLICA_ACKS_TRANSPORT',
    z.enum(['redis', 'websocket']).default('redis'),
    "how followers report their log end to the leader: `redis` (the leader's ack stream) or `websocket` (the peer connection, with the ack stream as fallback). `redis` is the default: it measured the lower acks=all latency (docs/perf-log.md); `websocket` took less broker CPU in some runs",
  ),
  metadataRefreshMs: setting('METADATA_REFRESH_MS', int(100, 600_000, 5000), 'safety-net metadata reload (changes arrive by pub/sub)'),
  groupMinSessionTimeoutMs: setting(
    'GROUP_MIN_SESSION_TIMEOUT_MS',
    int(100, 86_400_000, 500),
    "shortest `sessionTimeoutMs` a consumer may join a group with; shorter is `INVALID_SESSION_TIMEOUT` (Kafka's `group.min.session.timeout.ms`; lower than Kafka's 6 s so tests and local clusters fail over fast); at most `GROUP_MAX_SESSION_TIMEOUT_MS`",
  ),
  groupMaxSessionTimeoutMs: setting(
    'GROUP_MAX_SESSION_TIMEOUT_MS',
    int(100, 86_400_000, 1_800_000),
    "longest `sessionTimeoutMs` a consumer may join a group with; longer is `INVALID_SESSION_TIMEOUT` (Kafka's `group.max.session.timeout.ms`)",
  ),
  adminJobLockMs: setting(
    'ADMIN_JOB_LOCK_MS',
    int(500, 600_000, 5000),
    "the controller's lock on a running admin job (BullMQ `lockDuration`); if the controller dies, the next one resumes the job about 1.5 times this later",
  ),
  adminJobAttempts: setting(
    'ADMIN_JOB_ATTEMPTS',
    int(1, 1000, 10),
    'attempts an admin job gets before it fails for good (a dead controller does not use one up)',
  ),
  adminJobBackoffMs: setting('ADMIN_JOB_BACKOFF_MS', int(10, 600_000, 1000), 'delay before the first retry of a failed admin job step; doubles each attempt'),
  adminJobStepDelayMs: setting(
    'ADMIN_JOB_STEP_DELAY_MS',
    int(0, 600_000, 0),
    'testing only: a pause after each step of an admin job, so a test can kill the controller in the middle of one',
  ),
  groupMaxRebalanceTimeoutMs: setting(
    'GROUP_MAX_REBALANCE_TIMEOUT_MS',
    int(100, 86_400_000, 1_800_000),
    'longest `rebalanceTimeoutMs` a consumer may join a group with (how long a rebalance waits for it); longer is `INVALID_SESSION_TIMEOUT`',
  ),
  groupMaxSize: setting(
    'GROUP_MAX_SIZE',
    int(1, 1_000_000, 1000),
    "members one consumer group may have; a join beyond it is `GROUP_MAX_SIZE_REACHED` (Kafka's `group.max.size`)",
  ),
  logSegmentBytes: setting('LOG_SEGMENT_BYTES', int(1024, 0x7fffffff, TOPIC_CONFIG_DEFAULTS['segment.bytes']), 'default `segment.bytes` for topics'),
  logFlushIntervalMs: setting(
    'LOG_FLUSH_INTERVAL_MS',
    int(0, 3_600_000, DEFAULT_LOG_CONFIG.flushIntervalMs),
    'fsync interval; `0` fsyncs every append; segments are also fsynced on roll',
  ),
  producerIdExpirationMs: setting(
    'PRODUCER_ID_EXPIRATION_MS',
    int(1000, 2_147_483_647, DEFAULT_LOG_CONFIG.producerIdExpirationMs),
    "a partition forgets an idempotent producer whose latest batch is older than this (Kafka's `producer.id.expiration.ms`); checked when retention runs. Its next batch with a sequence above 0 then gets `UNKNOWN_PRODUCER_ID`, which the SDK answers with a new epoch",
  ),
  logRetentionCheckIntervalMs: setting('LOG_RETENTION_CHECK_INTERVAL_MS', int(100, 86_400_000, 300_000), 'how often retention runs'),
  /** segment .log files this process keeps open at most (least recently used closed first) */
  logMaxOpenSegmentFiles: setting(
    'LOG_MAX_OPEN_SEGMENT_FILES',
    int(16, 1_000_000, DEFAULT_MAX_OPEN_SEGMENT_FILES),
    'segment `.log` files the broker keeps open at most, least recently used closed first (index files are opened only to be written); an idle partition costs one descriptor, and beyond this bound none',
  ),
  /** the cluster secret brokers prove to each other; undefined: the one kept in the coordination Redis */
  interBrokerSecret: setting(
    'INTER_BROKER_SECRET',
    z
      .string()
      .min(32, 'use at least 32 characters (e.g. `openssl rand -base64 32`)')
      .max(1024)
      .regex(/^\S(.*\S)?$/, 'must not start or end with whitespace')
      .optional(),
    'the secret brokers prove to each other (HMAC challenge-response) before any replica request; at least 32 characters, the same on every broker; never logged (a fingerprint is)',
    { secret: true, shownDefault: '(unset: one per cluster, kept in the coordination Redis)' },
  ),
  auth: setting(
    'AUTH',
    z
      .string()
      .default('none')
      .transform((v) => v.split(',').map((m) => m.trim().toLowerCase()))
      .refine((ms) => (ms.length > 0 && ms.every((m) => m === 'scram' || m === 'token')) || (ms.length === 1 && ms[0] === 'none'), {
        message: "use 'none', 'scram', 'token' or 'scram,token'",
      })
      .transform((ms) => ({ scram: ms.includes('scram'), token: ms.includes('token') })),
    'client authentication: `none` (every connection is `User:ANONYMOUS`, ACLs not enforced), `scram` (SCRAM-SHA-256/512 users), `token` (signed bearer tokens), or `scram,token`. With auth on, a connection must authenticate before any other request, and ACLs decide what it may do',
    { shownDefault: '`none`' },
  ),
  superUsers: setting(
    'SUPER_USERS',
    z
      .string()
      .regex(/^\s*User:[^,\s]+(\s*,\s*User:[^,\s]+)*\s*$/, "use a comma-separated list of principals such as 'User:admin,User:ops'")
      .optional()
      .transform((v): string[] => (v === undefined ? [] : v.split(',').map((p) => p.trim()))),
    "principals every ACL check allows (Kafka's `super.users`), e.g. `User:admin`; other brokers always are",
    { shownDefault: '(none)' },
  ),
  tokenSecret: setting(
    'TOKEN_SECRET',
    z.string().min(32, 'use at least 32 characters').max(1024).optional(),
    'key that verifies HS256 bearer tokens (AUTH=token); the principal is `User:<sub>`, `exp` is honoured; never logged',
    { secret: true, shownDefault: '(unset)' },
  ),
  tokenPublicKeyPath: setting(
    'TOKEN_PUBLIC_KEY_PATH',
    z.string().min(1).optional(),
    'PEM file of an Ed25519 public key that verifies EdDSA bearer tokens (AUTH=token), instead of or beside TOKEN_SECRET',
    { shownDefault: '(unset)' },
  ),
  logLevel: setting(
    'LOG_LEVEL',
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    'least severe log level written (pino levels: `fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`)',
  ),
  logPretty: setting(
    'LOG_PRETTY',
    z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    'human-readable coloured log lines instead of JSON (`tributary cluster up` turns it on)',
  ),
  /** catch-up byte rate of a replica a reassignment adds; 0: unthrottled */
  reassignmentThrottleBytesPerSec: setting(
    'REASSIGNMENT_THROTTLE_BYTES_PER_SEC',
    int(0, 0x7fffffff, 0),
    "bytes per second a replica that a reassignment (or decommission) adds copies from its leader while it catches up; `0` does not throttle (Kafka's `follower.replication.throttled.rate`)",
  ),
  autoLeaderRebalanceEnable: setting(
    'AUTO_LEADER_REBALANCE_ENABLE',
    z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    "the controller moves leadership back to each partition's preferred (first) replica when a broker leads too few of its preferred partitions (Kafka's `auto.leader.rebalance.enable`)",
  ),
  leaderImbalancePerBrokerPercentage: setting(
    'LEADER_IMBALANCE_PER_BROKER_PERCENTAGE',
    int(0, 100, 10),
    "share of a broker's preferred partitions that may be led elsewhere before the controller elects the preferred leaders (Kafka's `leader.imbalance.per.broker.percentage`)",
  ),
  leaderImbalanceCheckIntervalMs: setting(
    'LEADER_IMBALANCE_CHECK_INTERVAL_MS',
    int(100, 86_400_000, 30_000),
    "how often the controller checks the leader imbalance (Kafka's `leader.imbalance.check.interval.seconds`, 300 s there)",
  ),
  maxRequestBytes: setting(
    'MAX_REQUEST_BYTES',
    int(1024, 1024 * 1024 * 1024, 8 * 1024 * 1024),
    "largest WebSocket frame accepted (Kafka's `socket.request.max.bytes`); a bigger one closes the connection before it is buffered. A topic's `max.message.bytes` may be at most this minus 1 KiB, so its largest batch always fits a request",
  ),
} as const;
