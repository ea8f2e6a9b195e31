import { Buffer } from 'buffer';
import type { PartitionState } from '@tributary/coordination';
import type { PartitionLog } from '@tributary/log';
import { TributaryError, validateRecordBatches, type Acks, type TopicConfig } from '@tributary/protocol';
import { Mailbox } from '../actor/mailbox';

export interface ReadResult {
  records: Buffer;
  highWatermark: number;
  logStartOffset: number;
}

/**
 * One replica of one partition on this broker. Writes go through the mailbox, one at a
 * time, so offsets are assigned in arrival order with no lock; reads are synchronous
 * against the log and need no turn in the mailbox.
 */
export class PartitionActor {
  private readonly mailbox = new Mailbox();
  private readonly appendListeners = new Set<() => void>();
  private state: PartitionState;
  private highWatermark: number;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly brokerId: number,
    readonly log: PartitionLog,
    state: PartitionState,
    private config: TopicConfig,
  ) {
    this.state = state;
    // Until replication tracks followers, a leader's whole log is committed: it is the only
    // in-sync replica. The replication layer will own this number.
    this.highWatermark = log.logEndOffset;
  }

  get isLeader(): boolean {
    return this.state.leader === this.brokerId;
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  /** Applies the partition's latest state and topic config from metadata. */
  update(state: PartitionState, config: TopicConfig): void {
    this.state = state;
    this.config = config;
  }

  /** Validates and appends a produce request's batches; resolves with the first offset. */
  produce(batches: Buffer, acks: Acks): Promise<{ baseOffset: number; logStartOffset: number }> {
    return this.mailbox.post(() => {
      this.assertLeader();
      // Kafka checks min.insync.replicas before appending, so a refused acks=all write is not in the log.
      const minIsr = this.config['min.insync.replicas'];
      if (acks === -1 && this.state.isr.length < minIsr) {
        throw TributaryError.of(
          'NOT_ENOUGH_REPLICAS',
          `${this.topic}-${this.partition} has ${this.state.isr.length} in-sync replica(s), min.insync.replicas is ${minIsr}`,
        );
      }
      const headers = validateRecordBatches(batches, this.config['max.message.bytes']);
      const result = this.log.appendAsLeader(batches, headers, this.state.leaderEpoch);
      this.highWatermark = this.log.logEndOffset;
      this.notifyAppend();
      return { baseOffset: result.baseOffset, logStartOffset: this.log.logStartOffset };
    });
  }

  /** Reads committed batches from `offset`, up to maxBytes (at least one whole batch). */
  read(offset: number, maxBytes: number): ReadResult {
    this.assertLeader();
    if (offset < this.log.logStartOffset || offset > this.log.logEndOffset) {
      throw TributaryError.of(
        'OFFSET_OUT_OF_RANGE',
        `offset ${offset} is outside ${this.topic}-${this.partition}'s range [${this.log.logStartOffset}, ${this.log.logEndOffset}]`,
      );
    }
    const records = offset >= this.highWatermark ? EMPTY : this.log.read(offset, maxBytes, this.highWatermark);
    return { records, highWatermark: this.highWatermark, logStartOffset: this.log.logStartOffset };
  }

  /** Kafka's ListOffsets: -1 latest (the high watermark), -2 earliest, else by timestamp. */
  offsetFor(timestamp: number): { offset: number; timestamp: number } {
    this.assertLeader();
    if (timestamp === -1) return { offset: this.highWatermark, timestamp: -1 };
    if (timestamp === -2) return { offset: this.log.logStartOffset, timestamp: -1 };
    const found = this.log.offsetForTimestamp(timestamp);
    if (!found || found.offset >= this.highWatermark) return { offset: -1, timestamp: -1 };
    return found;
  }

  /** Calls `listener` after every append; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  applyRetention(now: number): number {
    return this.log.applyRetention(now);
  }

  close(): Promise<void> {
    return this.mailbox.post(() => {
      this.appendListeners.clear();
      this.log.close();
    });
  }

  private assertLeader(): void {
    if (!this.isLeader) {
      throw TributaryError.of(
        'NOT_LEADER_OR_FOLLOWER',
        `broker ${this.brokerId} is not the leader of ${this.topic}-${this.partition} (leader is ${this.state.leader})`,
      );
    }
  }

  private notifyAppend(): void {
    for (const l of this.appendListeners) l();
  }
}

const EMPTY = Buffer.alloc(0);
