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

/** A deleted topic incarnation whose deletion job has not finished (KIP-516: by id, not name). */
export interface TopicTombstone {
  name: string;
  id: string;
  partitionCount: number;
  deletedAt: number;
  /** the admin job removing its replicas, streams, leases and group offsets */
  jobId: string;
}

export interface PartitionState {
  topic: string;
  partition: number;
  replicas: number[];
  /** -1: no leader */
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** while a reassignment runs (KIP-455): replicas being added (catching up, not yet all in the ISR) */
  addingReplicas?: number[];
  /** while a reassignment runs: replicas that leave once every target replica is in the ISR */
  removingReplicas?: number[];
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
  /** each live broker's current broker epoch (KIP-380), from the registry */
  brokerEpochs: ReadonlyMap<number, number>;
  topics: Map<string, TopicSnapshot>;
  /** topics deleted whose deletion job still runs; absent from snapshots made without them (tests) */
  deletingTopics?: TopicTombstone[];
}

/** One start of a broker process: its id and the broker epoch its registration was given. */
export interface BrokerIncarnation {
  id: number;
  epoch: number;
}

/** What claiming a broker id at start gave: the broker epoch, or who holds the id. */
export type BrokerClaim = { claimed: true; epoch: number } | { claimed: false; holder: BrokerInfo | null };

/** `security`: users or ACLs changed (subject `user` or `acl`); metadata caches ignore it */
export type ChangeKind = 'broker' | 'controller' | 'topic' | 'partition' | 'security';

export interface ChangeEvent {
  kind: ChangeKind;
  /** topic name for topic/partition changes, broker id for broker changes */
  subject?: string;
}
