import type { Buffer } from 'buffer';
import type { RetryOptions } from '../retry/retrier';
import type { GroupJoinEvent, GroupOptions } from './group/group-types';

/** with a groupId the consumer joins that group: subscribe(), commitOffsets() and the group events work */
export interface ConsumerOptions extends Partial<GroupOptions> {
  /** how long a broker may hold a fetch waiting for minBytes; default 500 */
  maxWaitMs?: number;
  /** default 1 */
  minBytes?: number;
  /** per fetch request; default 10 MiB */
  maxBytes?: number;
  /** per partition in a fetch; default 1 MiB */
  maxBytesPerPartition?: number;
  /** where to start when a partition has no position or its position is out of range; default 'earliest' */
  autoOffsetReset?: 'earliest' | 'latest';
  /** how many handler calls may run at once across partitions; default 1 (KafkaJS's default) */
  partitionsConsumedConcurrently?: number;
  retry?: RetryOptions;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** where to start; absent: keep the current position, or apply autoOffsetReset */
  offset?: number;
}

export interface TopicPartitions {
  topic: string;
  /** absent: every assigned partition of the topic */
  partitions?: number[];
}

export interface ConsumedMessage {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
  timestamp: number;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: ConsumedMessage;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: number;
  /** in offset order, none below the position the fetch was made from */
  messages: ConsumedMessage[];
}

export interface EachBatchPayload {
  batch: Batch;
}

export interface RunConfig {
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
}

export interface ConsumerEvents {
  /** the consumer stopped on an error it cannot recover from (it is not running any more) */
  crash: { error: Error };
  /** a group generation began: this member's partitions in it */
  'group.join': GroupJoinEvent;
  /** the coordinator asked the member to rejoin */
  rebalancing: { groupId: string };
}
