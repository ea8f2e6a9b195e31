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
