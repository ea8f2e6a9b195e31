import { Buffer } from 'buffer';
import { partitionForKey } from '@tributary/protocol';
import type { Admin, Producer, Tributary } from '@tributary/client';
import { waitFor } from './free-port';

export interface AckedRecord {
  partition: number;
  offset: number;
  key: string;
  seq: number;
}

/** Waits until every partition of `topic` has `size` in-sync replicas. */
export async function waitForFullIsr(admin: Admin, topic: string, size: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `every partition of ${topic} to have ${size} in-sync replicas`,
    async () => {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      return meta.topics[0].partitions.every((p) => p.isr.length === size && p.leader > 0);
    },
    timeoutMs,
    200,
  );
}

export async function leaderOf(admin: Admin, topic: string, partition: number): Promise<number> {
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  return meta.topics[0].partitions[partition].leader;
}

/**
 * Sends keyed records without pause until stopped, and keeps only what the cluster
 * acknowledged: each record's partition and offset as the send's result reported them.
 */
export class AckTracker {
  readonly acked: AckedRecord[] = [];
  failures = 0;
  private running = true;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly keys = 30,
    private readonly perSend = 60,
  ) {}

  start(): void {
    this.loop = (async () => {
      let seq = 0;
      for (let i = 0; this.running && i < 1_000_000; i++) {
        const messages = Array.from({ length: this.perSend }, () => {
          const s = seq++;
          const key = `k${s % this.keys}`;
          return { key, value: `${key}|${s}`, seq: s };
        });
        try {
          const results = await this.producer.send({ topic: this.topic, messages: messages.map(({ key, value }) => ({ key, value })) });
          const byPartition = new Map<number, typeof messages>();
          for (const m of messages) {
            const p = partitionForKey(Buffer.from(m.key), this.partitions);
            byPartition.set(p, [...(byPartition.get(p) ?? []), m]);
          }
          for (const r of results) {
            (byPartition.get(r.partition) ?? []).forEach((m, j) =>
              this.acked.push({ partition: r.partition, offset: r.baseOffset + j, key: m.key, seq: m.seq }),
            );
          }
        } catch {
          this.failures++;
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** Reads every partition from offset 0 to its high watermark; returns offset -> value per partition. */
export async function readAll(client: Tributary, topic: string, partitions: number): Promise<Map<number, Map<number, string>>> {
  const admin = client.admin();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = new Map(ends.map((e) => [e.partition, Number(e.high)]));
  const out = new Map<number, Map<number, string>>(Array.from({ length: partitions }, (_, p) => [p, new Map<number, string>()]));
  const consumer = client.consumer({ maxWaitMs: 100 });
  consumer.assign(Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, offset: 0 })));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const m = out.get(batch.partition)!;
      for (const msg of batch.messages) m.set(msg.offset, msg.value?.toString() ?? '');
    },
  });
  await waitFor('every partition read to its high watermark', () => [...want].every(([p, hw]) => (out.get(p)?.size ?? 0) >= hw), 60_000, 50);
  await consumer.disconnect();
  return out;
}
