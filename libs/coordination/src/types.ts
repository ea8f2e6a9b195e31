import type { BrokerInfo } from '@tributary/protocol';

export interface TopicRecord {
  name: string;
  /** unique per creation, so a re-created topic is told apart from the one deleted before */
  id: string;
  partitionCount: number;
  replicationFactor: number;
  configs: Record<string, string>;
  createdAt: number;
}

export interface PartitionState {
  topic: string;
  partition: number;
  replicas: number[];
  /** -1: no leader */
  leader: number;
  leaderEpoch: number;
  isr: number[];
}

export interface TopicSnapshot {
  topic: TopicRecord;
  partitions: PartitionState[];
}

export interface ClusterSnapshot {
  clusterId: string;
  /** -1: no controller right now */
  controllerId: number;
  brokers: BrokerInfo[];
  topics: Map<string, TopicSnapshot>;
}

export type ChangeKind = 'broker' | 'controller' | 'topic' | 'partition';

export interface ChangeEvent {
  kind: ChangeKind;
  /** topic name for topic/partition changes, broker id for broker changes */
  subject?: string;
}
