import { Logger } from '@nestjs/common';
import type { ConsumedMessage, Consumer, EachMessagePayload, Producer, Tributary } from '@tributary/client';
import type { TributaryListenerOptions } from './listener-options';
import { firstJoin } from './first-join';
import { decodePayload } from './payload-decoder';
import { deadLetterRecord, withRetries, type ListenerRetryPolicy } from './retry-policy';
import { TributaryContext } from './tributary-context';

/** how long application start waits for a listener's first group join */
export const DEFAULT_JOIN_TIMEOUT_MS = 30_000;

export type ListenerHandler = (payload: unknown, ctx: TributaryContext) => unknown;

/** One decorated method's consumer: subscribes, runs the handler under the retry policy, leaves on stop. */
export class ListenerRunner {
  private readonly consumer: Consumer;
  private readonly logger: Logger;
  private stopping = false;

  constructor(
    client: Tributary,
    private readonly options: TributaryListenerOptions,
    private readonly handler: ListenerHandler,
    private readonly retry: ListenerRetryPolicy,
    private readonly deadLetters: Producer,
    readonly name: string,
  ) {
    this.consumer = client.consumer({ ...options.consumer, groupId: options.groupId, autoCommit: options.autoCommit ?? true });
    this.logger = new Logger(`TributaryListener ${name}`);
    this.consumer.on('crash', ({ error }) => this.logger.error(`consumer stopped: ${error.message}`));
  }

  get topics(): string[] {
    return [...(this.options.topics ?? []), ...(this.options.topic !== undefined ? [this.options.topic] : [])];
  }

  /** the SDK consumer underneath, for what the decorator does not cover (pause/resume, events) */
  get sdkConsumer(): Consumer {
    return this.consumer;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? false });
    const { joined } = firstJoin(this.consumer, this.options.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS);
    await this.consumer.run({ eachMessage: (payload) => this.handle(payload) });
    if (!(await joined)) this.logger.warn(`not in group ${this.options.groupId} yet; the application starts anyway and the consumer keeps trying`);
  }

  /** Commits what was handled and leaves the group at once, so the partitions move without a session timeout. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }

  private async handle({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const outcome = await withRetries(
      this.retry,
      async (attempt) => {
        await this.handler(
          decodePayload(message.value, this.options.decode ?? 'json'),
          new TributaryContext(topic, partition, message, this.consumer, attempt),
        );
      },
      (attempt, error) => this.logger.warn(`handler failed on ${topic}/${partition}@${message.offset} (attempt ${attempt}), retrying: ${error.message}`),
      () => this.stopping,
    );
    if (!outcome.ok) await this.exhausted(topic, partition, message, outcome.error, outcome.attempts);
  }

  /** Dead-letters the record, or pauses its partition on it (and throws, so its position stays on it). */
  private async exhausted(topic: string, partition: number, message: ConsumedMessage, error: Error, attempts: number): Promise<void> {
    const where = `${topic}/${partition}@${message.offset}`;
    const deadLetterTopic = this.retry.deadLetterTopic;
    if (deadLetterTopic) {
      await this.deadLetters.send({
        topic: deadLetterTopic,
        messages: [deadLetterRecord(message, topic, partition, error)],
      });
      this.logger.error(`handler failed on ${where} after ${attempts} attempt(s); record sent to ${deadLetterTopic}: ${error.message}`);
      return;
    }
    this.consumer.pause([{ topic, partitions: [partition] }]);
    this.logger.error(`handler failed on ${where} after ${attempts} attempt(s); partition paused on that record (not committed past it): ${error.message}`);
    throw error;
  }
}
