import type { Admin, Consumer, EachMessagePayload, Tributary } from '@tributary/client';
import { h } from './dom';

const KEEP_ROWS = 200;
/** how far back a new tail starts: the last few records give context */
const BACKLOG = 10;

/**
 * A group-less consumer assigned to one partition, starting a few records before its end; each
 * record is prepended to the list as it arrives (the consumer long-polls, so new records show
 * within a fetch round trip).
 */
export class LiveTail {
  private consumer: Consumer | null = null;

  constructor(
    private readonly client: Tributary,
    private readonly admin: Admin,
    private readonly list: HTMLElement,
    private readonly status: HTMLElement,
  ) {}

  async start(topic: string, partition: number): Promise<void> {
    await this.stop();
    const offsets = await this.admin.fetchTopicOffsets(topic);
    const p = offsets.find((o) => o.partition === partition);
    if (!p) throw new Error(`topic ${topic} has no partition ${partition}`);
    const consumer = this.client.consumer();
    this.consumer = consumer;
    consumer.assign([{ topic, partition, offset: Math.max(p.low, p.high - BACKLOG) }]);
    this.list.replaceChildren();
    await consumer.run({ eachMessage: async (m) => this.show(m) });
    this.status.textContent = `tailing ${topic}/${partition} from offset ${Math.max(p.low, p.high - BACKLOG)}`;
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer) await consumer.disconnect();
    this.status.textContent = 'stopped';
  }

  private show({ message }: EachMessagePayload): void {
    const row = h(
      'li',
      { 'data-offset': String(message.offset) },
      h('span', { class: 'offset' }, `#${message.offset}`),
      h('span', { class: 'time' }, new Date(message.timestamp).toLocaleTimeString()),
      h('span', { class: 'key' }, message.key ? message.key.toString() : '∅'),
      h('span', { class: 'value' }, message.value ? message.value.toString() : 'null'),
    );
    this.list.prepend(row);
    while (this.list.children.length > KEEP_ROWS) this.list.lastElementChild?.remove();
  }
}
