export { DEFAULT_LOG_CONFIG, type LogConfig } from './log-config';
export { PartitionLog, type AppendResult } from './partition-log';
export type { EpochEntry } from './epoch-cache';
export type { RecoveryReport } from './segment';
