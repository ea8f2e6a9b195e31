import type { Buffer } from 'buffer';
import type { Acks } from './events';

export interface ResponseBase {
  /** request-level error; per-partition errors live in the partition entries */
  errorCode: number;
  errorMessage?: string;
}

export interface PartitionError {
  errorCode: number;
  errorMessage?: string;
}

// ---- metadata ----
export interface MetadataRequest {
  /** null or absent: every topic */
  topics?: string[] | null;
}

export interface BrokerInfo {
  id: number;
  host: string;
  port: number;
  /** what a client connects to, e.g. ws://127.0.0.1:9092 */
  url: string;
  /** what other brokers connect to, when it differs from `url` (containers, NAT) */
  internalUrl?: string;
}

export interface PartitionMetadata extends PartitionError {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  /** replicas whose log failed on the answering broker (Kafka's offline_replicas); absent when none */
  offlineReplicas?: number[];
}

export interface TopicMetadata extends PartitionError {
  name: string;
  /** this incarnation's UUID (KIP-516): a topic deleted and created again under the same name has a new one; absent on an error */
  topicId?: string;
  partitions: PartitionMetadata[];
  configs: Record<string, string>;
}

export interface MetadataResponse extends ResponseBase {
  clusterId: string;
  controllerId: number;
  brokers: BrokerInfo[];
  topics: TopicMetadata[];
}

// ---- produce ----
export interface ProduceRequest {
  acks: Acks;
  timeoutMs: number;
  /** the partitions' record batches as one framed buffer: see produce-frame.ts */
  data: Buffer;
}

export interface ProducePartitionResponse extends PartitionError {
  topic: string;
  partition: number;
  baseOffset: number;
  logStartOffset: number;
}

export interface ProduceResponse extends ResponseBase {
  partitions: ProducePartitionResponse[];
}

// ---- fetch ----
export interface FetchPartitionRequest {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequest {
  /** set by a follower broker fetching to catch up: it reads up to the log end, not the high watermark, and reports its position */
  replicaId?: number;
  /** with replicaId: the leader epoch the follower truncated for; a leader of another epoch answers FENCED/UNKNOWN_LEADER_EPOCH */
  replicaEpoch?: number;
  /** with replicaId: the follower's broker epoch (KIP-380); a fetch from an older incarnation of that id is refused with STALE_BROKER_EPOCH */
  replicaBrokerEpoch?: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitions: FetchPartitionRequest[];
}

export interface FetchPartitionResponse extends PartitionError {
  topic: string;
  partition: number;
  highWatermark: number;
  /** the leader's log end offset (followers use it to know when they caught up) */
  logEndOffset?: number;
  logStartOffset: number;
  /** how many bytes of `records` belong to this partition, in request order */
  byteLength: number;
}

export interface FetchResponse extends ResponseBase {
  partitions: FetchPartitionResponse[];
  /** every partition's batches, back to back, as one binary attachment */
  records: Buffer;
}

// ---- listOffsets ----
export interface ListOffsetsPartitionRequest {
  topic: string;
  partition: number;
  /** LATEST_TIMESTAMP (-1), EARLIEST_TIMESTAMP (-2), or a time in ms: first offset at or after it */
  timestamp: number;
}

export interface ListOffsetsRequest {
  partitions: ListOffsetsPartitionRequest[];
}

export interface ListOffsetsPartitionResponse extends PartitionError {
  topic: string;
  partition: number;
  /** -1 when no record has a timestamp at or after the one asked for */
  offset: number;
  timestamp: number;
}

export interface ListOffsetsResponse extends ResponseBase {
  partitions: ListOffsetsPartitionResponse[];
}

// ---- createTopics ----
export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  configs?: Record<string, string>;
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  validateOnly?: boolean;
}

export interface CreateTopicResult extends PartitionError {
  name: string;
}

export interface CreateTopicsResponse extends ResponseBase {
  topics: CreateTopicResult[];
}

// ---- deleteTopics ----
export interface DeleteTopicsRequest {
  topics: string[];
}

/** The topic is gone from metadata when this comes back; `jobId` is the job deleting its files, offsets and streams. */
export interface DeleteTopicResult extends CreateTopicResult {
  /** the deleted incarnation's id (KIP-516) */
  topicId?: string;
  jobId?: string;
}

export interface DeleteTopicsResponse extends ResponseBase {
  topics: DeleteTopicResult[];
}

// ---- offsetForLeaderEpoch (KIP-101: where did an epoch end on the leader?) ----
export interface OffsetForLeaderEpochRequest {
  topic: string;
  partition: number;
  /** the requester's latest epoch */
  leaderEpoch: number;
  /** the epoch the requester believes the leader has; FENCED_LEADER_EPOCH if the leader's is newer, UNKNOWN_LEADER_EPOCH if older */
  currentLeaderEpoch: number;
  /** the asking follower's broker id; must be the broker its connection authenticated as */
  replicaId?: number;
}

export interface OffsetForLeaderEpochResponse extends ResponseBase {
  /** largest epoch <= the one asked for, -1 if none */
  leaderEpoch: number;
  /** start offset of the next epoch, or the log end if it is the latest; -1 if unknown */
  endOffset: number;
}
