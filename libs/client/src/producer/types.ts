import type { Buffer } from 'buffer';
import type { RetryOptions } from '../retry/retrier';

export interface Message {
  /** null/absent: spread by the sticky partitioner; otherwise hashed with Kafka's murmur2 */
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
  /** wins over the key */
  partition?: number;
  /** create time, ms since epoch; default now */
  timestamp?: number;
}

export interface ProducerRecord {
  topic: string;
  messages: Message[];
}

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

export interface ProducerBatchRequest {
  topicMessages: TopicMessages[];
}

/** One entry per partition a send wrote to (KafkaJS's RecordMetadata, with numeric offsets). */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** offset of this send's first record in the partition; -1 with acks 0 */
  baseOffset: number;
  errorCode: number;
  /** the partition's log start offset when the broker answered; -1 with acks 0 */
  logStartOffset: number;
}

export type AcksOption = 'all' | -1 | 0 | 1;

export interface ProducerOptions {
  /** 'all' (default): every in-sync replica; 1: the leader; 0: do not wait for the broker */
  acks?: AcksOption;
  /** how long a batch waits for more records; default 5 ms */
  lingerMs?: number;
  /** target batch size per partition in bytes; default 16384 (Kafka's batch.size) */
  batchSize?: number;
  /** produce requests in flight per broker; default 5 */
  maxInFlightPerBroker?: number;
  /**
   * Kafka's idempotent producer (KIP-98): a retried batch is never written twice, per partition
   * and producer session. Default true with acks 'all'; true with acks 0 or 1 is a config error
   * (acks 0 or 1 alone turn it off, as in Kafka).
   */
  idempotent?: boolean;
  /** batches in flight per partition: 1..5 with idempotence (default 5), always 1 without it */
  maxInFlightPerPartition?: number;
  /** largest produce payload in one request, bytes; default 1000000, socket.io's default message cap */
  maxRequestSize?: number;
  retry?: RetryOptions;
  /** how long the broker may wait for acks=all; default 30000 ms */
  timeoutMs?: number;
}
