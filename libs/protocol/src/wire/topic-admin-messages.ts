import type { CreateTopicResult, PartitionError, ResponseBase } from './messages';

// ---- describeConfigs / alterConfigs (Kafka's DescribeConfigs / IncrementalAlterConfigs, topics only) ----
export interface DescribeConfigsRequest {
  topics: string[];
}

/** 'topic': set on the topic; 'default': the broker's default for topics that do not set it */
export type ConfigSource = 'topic' | 'default';

export interface ConfigEntryDescription {
  name: string;
  value: string;
  source: ConfigSource;
  isDefault: boolean;
}

export interface DescribeConfigsTopicResult extends PartitionError {
  name: string;
  /** every topic config, sorted by name; empty on error */
  configs: ConfigEntryDescription[];
}

export interface DescribeConfigsResponse extends ResponseBase {
  topics: DescribeConfigsTopicResult[];
}

export interface AlterableTopicConfig {
  name: string;
  /** configs to set (Kafka's SET operation) */
  set?: Record<string, string>;
  /** configs to return to the default (Kafka's DELETE operation) */
  delete?: string[];
}

export interface AlterConfigsRequest {
  topics: AlterableTopicConfig[];
  validateOnly?: boolean;
}

export interface AlterConfigsResponse extends ResponseBase {
  topics: CreateTopicResult[];
}

// ---- createPartitions ----
export interface CreatePartitionsTopic {
  name: string;
  /** the new total partition count: grow only */
  count: number;
}

export interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[];
  validateOnly?: boolean;
}

export interface CreatePartitionsResponse extends ResponseBase {
  topics: CreateTopicResult[];
}

// ---- deleteRecords (Kafka's DeleteRecords) ----
export interface DeleteRecordsPartitionRequest {
  topic: string;
  partition: number;
  /** records below this offset go; -1 means the high watermark (Kafka's value) */
  offset: number;
}

export interface DeleteRecordsRequest {
  partitions: DeleteRecordsPartitionRequest[];
}

export interface DeleteRecordsPartitionResponse extends PartitionError {
  topic: string;
  partition: number;
  /** the partition's log start offset after the deletion, -1 on error */
  lowWatermark: number;
}

export interface DeleteRecordsResponse extends ResponseBase {
  partitions: DeleteRecordsPartitionResponse[];
}
