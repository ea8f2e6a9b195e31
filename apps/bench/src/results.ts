/** The systems the bench measures side by side. */
export type SystemName = 'Tributary' | 'Redis Streams' | 'NATS JetStream';

export type RowStatus = 'ok' | 'skipped' | 'failed';

export interface LatencySummary {
  /** milliseconds */
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** how many latencies the percentiles are over */
  count: number;
}

/**
 * One measured (or skipped) line of the report. Every row names the guarantee it stands for,
 * because a number without it cannot be compared with anything.
 */
export interface ResultRow {
  /** scenario id, e.g. 'produce' */
  scenario: string;
  system: SystemName;
  /** what was run, e.g. "XADD pipelined, 1000 per pipeline" */
  variant: string;
  /** replicas and what was acknowledged, e.g. "RF=1, leader page cache" */
  guarantee: string;
  /** record size in bytes; null where size does not apply (topic creation, failover) */
  recordSize: number | null;
  status: RowStatus;
  /** why a row was skipped or failed, or a caveat on a measured row */
  note?: string;
  records?: number;
  seconds?: number;
  recordsPerSec?: number;
  /** payload megabytes (10^6 bytes of record values) per second */
  mbPerSec?: number;
  latency?: LatencySummary;
  /** offered rate of a fixed-rate run, records/s */
  targetRate?: number;
  /** scenario-specific numbers, named with their unit (e.g. createSeconds, rssKiBPerPartition) */
  metrics?: Record<string, number>;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  ramGiB: number;
  node: string;
  platform: string;
  redisServer: string;
  natsServer: string | null;
}

export interface ProducerSettingsNote {
  lingerMs: number;
  batchSize: number;
  maxRequestSize: number;
  maxInFlightPerBroker: number;
  recordsPerSend: number;
  sendsInFlight: number;
}

export interface ProfileSummary {
  scenario: string;
  brokerId: number;
  file: string;
  totalMs: number;
  /** non-idle sampled time */
  busyMs: number;
  buckets: Array<{ bucket: string; selfMs: number; percentOfBusy: number }>;
  functions: Array<{ name: string; location: string; bucket: string; selfMs: number; percentOfBusy: number }>;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: MachineInfo;
  options: {
    scenarios: string[];
    messageSizes: number[];
    records: number;
    durationSeconds: number;
    quick: boolean;
    profile: boolean;
  };
  producerSettings: ProducerSettingsNote;
  rows: ResultRow[];
  /** one per profiled workload (--profile) */
  profiles: ProfileSummary[];
  notes: string[];
}
