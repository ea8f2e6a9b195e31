import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { randomUUID } from 'crypto';
import {
  ErrorCode,
  Tributary,
  TributaryError,
  type Admin,
  type EachMessagePayload,
  type Producer,
  type ProducerOptions,
  type TributaryConfig,
} from '@tributary/client';
import { decodeValue, toMessage, TransportHeaders } from './wire-format';

export interface TributaryClientOptions extends TributaryConfig {
  /** the topic replies come back on; created (1 partition) on connect when missing; default `<clientId>.replies` */
  replyTopic?: string;
  /** when the client creates the reply topic; default min(3, live brokers) */
  replyTopicReplicationFactor?: number;
  /** how long send() waits for its reply before erroring with REQUEST_TIMED_OUT; default 30000 */
  replyTimeoutMs?: number;
  producer?: ProducerOptions;
}

/** A reply that did not come in time (REQUEST_TIMED_OUT). */
export class ReplyTimeoutError extends TributaryError {
  constructor(pattern: string, timeoutMs: number) {
    super(ErrorCode.REQUEST_TIMED_OUT, `no reply to '${pattern}' within ${timeoutMs} ms`);
    this.name = 'ReplyTimeoutError';
  }
}

/**
 * A Nest ClientProxy over Tributary: `emit(topic, data)` produces a record (data may be
 * `{ key, value, headers, partition }`), `send(topic, data)` produces a request with a
 * correlation id and waits for the reply on this client's reply topic (or errors after replyTimeoutMs).
 */
export class TributaryClient extends ClientProxy {
  private client: Tributary | null = null;
  private producer: Producer | null = null;
  private connecting: Promise<void> | null = null;
  private readonly replyTopic: string;
  private readonly replyTimeoutMs: number;

  constructor(private readonly options: TributaryClientOptions) {
    super();
    this.replyTopic = options.replyTopic ?? `${options.clientId ?? 'tributary'}.replies`;
    this.replyTimeoutMs = options.replyTimeoutMs ?? 30_000;
  }

  /** Idempotent: send()/emit() call it first; the reply consumer reads from the reply topic's end. */
  connect(): Promise<void> {
    this.connecting ??= this.open().catch((err: unknown) => {
      this.connecting = null;
      throw err;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.connecting = null;
    this.client = this.producer = null;
    for (const [id, callback] of this.routingMap) {
      (callback as (packet: WritePacket) => void)({ err: new Error('the client closed before the reply came'), isDisposed: true });
      this.routingMap.delete(id);
    }
    await client?.disconnect();
  }

  unwrap<T>(): T {
    if (!this.client) throw new Error('TributaryClient is not connected yet');
    return this.client as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const id = randomUUID();
    const pattern = this.normalizePattern(packet.pattern as string);
    const timer = setTimeout(() => {
      this.routingMap.delete(id);
      callback({ err: new ReplyTimeoutError(pattern, this.replyTimeoutMs), isDisposed: true });
    }, this.replyTimeoutMs);
    this.routingMap.set(id, (reply: WritePacket) => {
      clearTimeout(timer);
      this.routingMap.delete(id);
      callback(reply);
    });
    const headers = { [TransportHeaders.correlationId]: id, [TransportHeaders.replyTopic]: this.replyTopic };
    this.requireProducer()
      .send({ topic: pattern, messages: [toMessage(packet.data, headers)] })
      .catch((err: unknown) => {
        const pending = this.routingMap.get(id) as ((reply: WritePacket) => void) | undefined;
        pending?.({ err, isDisposed: true });
      });
    return () => {
      clearTimeout(timer);
      this.routingMap.delete(id);
    };
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const result = await this.requireProducer().send({ topic: this.normalizePattern(packet.pattern as string), messages: [toMessage(packet.data)] });
    return result as T;
  }

  private requireProducer(): Producer {
    if (!this.producer) throw new Error('TributaryClient is not connected: call connect() first');
    return this.producer;
  }

  private async open(): Promise<void> {
    const client = (this.client = new Tributary(this.options));
    const producer = client.producer(this.options.producer);
    const admin: Admin = client.admin();
    try {
      await Promise.all([producer.connect(), admin.connect()]);
      const replicationFactor = this.options.replyTopicReplicationFactor ?? Math.min(3, (await admin.describeCluster()).brokers.length);
      await admin.createTopics({ topics: [{ topic: this.replyTopic, numPartitions: 1, replicationFactor }] });
      // start at the end as it is now: a reply to a request sent after connect() is never before it
      const ends = await admin.fetchTopicOffsets(this.replyTopic);
      const replies = client.consumer({ maxWaitMs: 100 });
      replies.assign(ends.map((e) => ({ topic: this.replyTopic, partition: e.partition, offset: e.high })));
      await replies.run({ eachMessage: (payload) => this.onReply(payload) });
      this.producer = producer;
    } finally {
      await admin.disconnect();
    }
  }

  private async onReply({ message }: EachMessagePayload): Promise<void> {
    const id = message.headers[TransportHeaders.correlationId]?.toString('utf8');
    const callback = id === undefined ? undefined : (this.routingMap.get(id) as ((packet: WritePacket) => void) | undefined);
    if (!callback) return; // another client's reply (the topic may be shared), or one that timed out
    const value = decodeValue(message.value);
    if (message.headers[TransportHeaders.error]) callback({ err: value, isDisposed: true });
    else callback({ response: value, isDisposed: true });
  }
}
