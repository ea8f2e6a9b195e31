import type { Buffer } from 'buffer';
import type { ConsumedMessage, Consumer } from '@tributary/client';

/** The second argument of a listener's handler: where the record came from, and its controls. */
export class TributaryContext {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly headers: Record<string, Buffer>;
  readonly timestamp: number;
  /** the record's value as read, whatever the decoder made of it */
  readonly value: Buffer | null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    message: ConsumedMessage,
    private readonly consumer: Consumer,
    /** 1 on the first delivery, then one more per retry */
    readonly attempt: number,
  ) {
    this.offset = message.offset;
    this.key = message.key;
    this.headers = message.headers;
    this.timestamp = message.timestamp;
    this.value = message.value;
  }

  /** the key as UTF-8 text, or null */
  get keyString(): string | null {
    return this.key === null ? null : this.key.toString('utf8');
  }

  /** a header as UTF-8 text, or undefined */
  header(name: string): string | undefined {
    return this.headers[name]?.toString('utf8');
  }

  /**
   * KafkaJS's heartbeat(), kept so handlers port over. Heartbeats run on their own loop beside
   * the handlers, so a slow handler never needs to call this: it resolves at once.
   */
  async heartbeat(): Promise<void> {}

  /** Commits this record as handled (the next offset to read is offset + 1), now rather than on the interval. */
  async commit(): Promise<void> {
    await this.consumer.commitOffsets([{ topic: this.topic, partition: this.partition, offset: this.offset + 1 }]);
  }
}
