import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import {
  Tributary,
  type Consumer,
  type ConsumerOptions,
  type EachMessagePayload,
  type Producer,
  type ProducerOptions,
  type TributaryConfig,
} from '@tributary/client';
import { lastValueFrom } from 'rxjs';
import { firstJoin } from '../client/listener/first-join';
import { deadLetterRecord, resolveRetryPolicy, withRetries, type ListenerRetryPolicy } from '../client/listener/retry-policy';
import { TributaryRpcContext } from './tributary-rpc.context';
import { decodeValue, encodeValue, TransportHeaders } from './wire-format';

export interface TributaryServerOptions extends TributaryConfig {
  /** the consumer group every instance of the microservice joins; topics = the handlers' patterns */
  groupId: string;
  /** where to start in partitions the group never committed; default false (latest) */
  fromBeginning?: boolean;
  /** handler retries before an event's partition is paused (or dead-lettered) or a request gets an error reply */
  retry?: Partial<ListenerRetryPolicy>;
  consumer?: Omit<ConsumerOptions, 'groupId'>;
  /** the producer that sends replies (and dead letters) */
  producer?: ProducerOptions;
  /** how long listen() waits for the first group join; default 30000 */
  joinTimeoutMs?: number;
}

/**
 * A Nest microservice transport over Tributary: `@EventPattern('orders')` and
 * `@MessagePattern('orders.get')` handlers consume the topic named by their pattern, as one
 * consumer group. A request carries a correlation id and a reply topic in its headers (like
 * Nest's Kafka transport); the handler's result, or its error after the retries, is produced
 * to that reply topic.
 */
export class TributaryServer extends Server implements CustomTransportStrategy {
  private client: Tributary | null = null;
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private readonly retryPolicy: ListenerRetryPolicy;
  private stopping = false;

  constructor(private readonly options: TributaryServerOptions) {
    super();
    this.retryPolicy = resolveRetryPolicy(options.retry);
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    // the consumer leaves first (its partitions move on at once), then pending replies go out
    await this.consumer?.disconnect();
    await this.producer?.flush().catch(() => undefined);
    await this.client?.disconnect();
    this.consumer = this.producer = this.client = null;
  }

  on(): never {
    throw new Error('TributaryServer has no events to listen to: use the SDK client from unwrap()');
  }

  unwrap<T>(): T {
    if (!this.client) throw new Error('TributaryServer is not listening yet');
    return this.client as T;
  }

  private async start(): Promise<void> {
    const client = (this.client = new Tributary(this.options));
    this.producer = client.producer(this.options.producer);
    await this.producer.connect();
    const topics = [...this.messageHandlers.keys()];
    if (topics.length === 0) return;
    const consumer = (this.consumer = client.consumer({ ...this.options.consumer, groupId: this.options.groupId }));
    await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? false });
    const { joined } = firstJoin(consumer, this.options.joinTimeoutMs ?? 30_000);
    await consumer.run({ eachMessage: (payload) => this.handle(payload) });
    if (!(await joined)) this.logger.warn(`not in group ${this.options.groupId} yet; listening anyway`);
  }

  private async handle({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const handler = this.getHandlerByPattern(topic);
    if (!handler) return; // subscribed to handler topics only, so this is unreachable
    const correlationId = message.headers[TransportHeaders.correlationId]?.toString('utf8');
    const replyTopic = message.headers[TransportHeaders.replyTopic]?.toString('utf8');
    const data = decodeValue(message.value);
    const outcome = await withRetries(
      this.retryPolicy,
      (attempt) => this.invoke(handler, data, new TributaryRpcContext([topic, partition, message, attempt])),
      (attempt, error) => {
        this.logger.warn(`handler for '${topic}' failed on ${topic}/${partition}@${message.offset} (attempt ${attempt}), retrying: ${error.message}`);
      },
      () => this.stopping,
    );
    const where = `${topic}/${partition}@${message.offset}`;
    if (!handler.isEventHandler && correlationId && replyTopic) {
      const reply = outcome.ok ? encodeValue(outcome.value ?? null) : encodeValue(serializeError(outcome.error));
      const headers: Record<string, string> = { [TransportHeaders.correlationId]: correlationId };
      if (!outcome.ok) {
        headers[TransportHeaders.error] = '1';
        this.logger.error(`handler for '${topic}' failed on ${where} after ${outcome.attempts} attempt(s); error reply sent: ${outcome.error.message}`);
      }
      await this.producer?.send({ topic: replyTopic, messages: [{ value: reply, headers }] });
      return;
    }
    if (outcome.ok) return;
    const deadLetterTopic = this.retryPolicy.deadLetterTopic;
    if (deadLetterTopic) {
      await this.producer?.send({
        topic: deadLetterTopic,
        messages: [deadLetterRecord(message, topic, partition, outcome.error)],
      });
      this.logger.error(`event handler for '${topic}' failed on ${where}; record sent to ${deadLetterTopic}: ${outcome.error.message}`);
      return;
    }
    this.consumer?.pause([{ topic, partitions: [partition] }]);
    this.logger.error(`event handler for '${topic}' failed on ${where}; partition paused on that record (not committed past it): ${outcome.error.message}`);
    throw outcome.error;
  }

  /** Calls the Nest-wrapped handler; exception filters turn a throw into an erroring observable. */
  private async invoke(handler: MessageHandler, data: unknown, ctx: TributaryRpcContext): Promise<unknown> {
    try {
      const result$ = this.transformToObservable(await handler(data, ctx));
      return await lastValueFrom(result$, { defaultValue: undefined });
    } catch (err) {
      throw err instanceof Error ? err : new HandlerFailure(err);
    }
  }
}

/** What Nest's exception filters emit (an RpcException's payload, or { status, message }), kept whole for the reply. */
class HandlerFailure extends Error {
  constructor(readonly rpcError: unknown) {
    super(typeof rpcError === 'string' ? rpcError : JSON.stringify(rpcError));
    this.name = 'HandlerFailure';
  }
}

/** An RpcException's payload travels as it is (as with Nest's other transports); an Error as its name and message. */
function serializeError(error: Error): unknown {
  if (error instanceof HandlerFailure) return error.rpcError;
  return { name: error.name, message: error.message };
}
