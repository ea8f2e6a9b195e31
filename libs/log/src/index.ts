export { DEFAULT_LOG_CONFIG, type LogConfig } from './log-config';
export { PartitionLog, type AppendResult } from './partition-log';
export { ReadSink } from './read-sink';
export { DEFAULT_MAX_OPEN_SEGMENT_FILES, setMaxOpenSegmentFiles } from './open-segment-files';
export type { EpochEntry } from './epoch-cache';
export type { RecoveryReport } from './segment';
export { PartitionMetadataFile, PARTITION_METADATA_FILE } from './partition-metadata-file';
