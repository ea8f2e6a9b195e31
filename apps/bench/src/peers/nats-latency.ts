import { StorageType, type ConsumerMessages, type NatsConnection } from 'nats';
import type { NatsServers } from '../processes/nats-server';
import type { LatencyTarget } from '../scenarios/fixed-rate';

/**
 * JetStream R3 under the fixed-rate latency driver: one record per message (a latency-minded
 * publisher does not wait to pack), every publish awaited for its quorum ack, and an ordered
 * consumer pushing the stream to the receiver. A fresh stream per run.
 */
export function jetStreamLatencyTarget(servers: NatsServers, name: string): LatencyTarget {
  const subject = `bench.${name}`;
  let nc: NatsConnection | null = null;
  let messages: ConsumerMessages | null = null;
  let reading: Promise<void> = Promise.resolve();
  return {
    async start(deliver) {
      nc = await servers.connect();
      const jsm = await nc.jetstreamManager({ timeout: 10_000 });
      await jsm.streams.add({ name, subjects: [subject], storage: StorageType.File, num_replicas: 3 });
      const consumer = await nc.jetstream().consumers.get(name);
      const iterator = await consumer.consume();
      messages = iterator;
      reading = (async () => {
        for await (const m of iterator) deliver([Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength)]);
      })();
    },
    async send(values) {
      if (!nc) throw new Error('the NATS latency target was not started');
      const js = nc.jetstream({ timeout: 30_000 });
      await Promise.all(values.map((v) => js.publish(subject, v)));
    },
    async stop() {
      await messages?.close().catch(() => undefined);
      await reading.catch(() => undefined);
      if (nc) {
        const jsm = await nc.jetstreamManager({ timeout: 10_000 }).catch(() => null);
        await jsm?.streams.delete(name).catch(() => undefined);
        await nc.close().catch(() => undefined);
      }
    },
  };
}
