import type { BrokerInfo } from '@tributary/protocol';

export interface ConfigEntry {
  name: string;
  value: string;
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries?: ConfigEntry[];
}

export interface CreateTopicsOptions {
  topics: TopicSpec[];
  /** check the request without creating anything */
  validateOnly?: boolean;
  /** resolve only once every partition has a leader; default true */
  waitForLeaders?: boolean;
  /** how long to wait for leaders, ms; default 10000 */
  timeout?: number;
}

export interface DeleteTopicsOptions {
  topics: string[];
  /** resolve only once each topic's deletion job has finished (files, streams and offsets gone); default false */
  wait?: boolean;
  /** with `wait`, how long to wait per job, ms; default as long as it runs */
  timeout?: number;
}

export interface DeletedTopic {
  topic: string;
  /** the deleted incarnation's id (KIP-516) */
  topicId?: string;
  /** the deletion job (admin.waitForJob / `tributary jobs describe`) */
  jobId?: string;
}

export interface PartitionInfo {
  partition: number;
  /** broker id, -1 when there is none right now */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  /** this incarnation's id (KIP-516): a topic deleted and created again has a new one */
  topicId?: string;
  partitions: PartitionInfo[];
  configs: Record<string, string>;
}

export interface ClusterDescription {
  brokers: BrokerInfo[];
  /** broker id of the controller; null when there is none right now */
  controller: number | null;
  clusterId: string;
}

export interface PartitionOffsets {
  partition: number;
  /** the next offset to be written (same as high), KafkaJS's `offset` */
  offset: number;
  high: number;
  low: number;
}

export interface PartitionOffset {
  partition: number;
  offset: number;
}

export interface DescribeConfigsOptions {
  topics: string[];
}

export interface TopicConfigDescription {
  name: string;
  /** every topic config: value, source ('topic' when set on the topic, else 'default') and isDefault */
  configs: Array<{ name: string; value: string; source: 'topic' | 'default'; isDefault: boolean }>;
}

export interface AlterConfigsOptions {
  topics: Array<{
    topic: string;
    /** configs to set, Kafka-named: { 'retention.ms': '60000' } */
    set?: Record<string, string>;
    /** configs to return to the broker's default */
    delete?: string[];
  }>;
  /** check the request without changing anything */
  validateOnly?: boolean;
}

export interface CreatePartitionsOptions {
  /** `count` is the new total number of partitions (grow only) */
  topicPartitions: Array<{ topic: string; count: number }>;
  validateOnly?: boolean;
  /** resolve only once every new partition has a leader; default true */
  waitForLeaders?: boolean;
  /** how long to wait for leaders, ms; default 10000 */
  timeout?: number;
}

export interface DeleteRecordsOptions {
  topic: string;
  /** records below `offset` are deleted; -1 means up to the high watermark */
  partitions: Array<{ partition: number; offset: number }>;
}

export interface DeleteRecordsResult {
  partition: number;
  /** the partition's new log start offset */
  lowWatermark: number;
}
