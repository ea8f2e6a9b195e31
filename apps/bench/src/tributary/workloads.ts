import { performance } from 'perf_hooks';
import type { Consumer, Message, Producer, Tributary } from '@tributary/client';
import { runWindowed, waitForCondition, type ThroughputResult } from '../measure';
import { RECORDS_PER_SEND, SENDS_IN_FLIGHT, THROUGHPUT_CONSUMER } from './settings';

export interface ProduceRun {
  topic: string;
  value: Buffer;
  total: number;
  timeCapMs: number;
  /** records per send() and sends outstanding; the tuned defaults when absent */
  recordsPerSend?: number;
  sendsInFlight?: number;
  /** a key per record index spreads records over all partitions (murmur2); none: sticky partitioning */
  keyOf?: (index: number) => string;
  onProgress?: (recordsDone: number) => void;
}

/** Produces `total` records through the SDK, many per send() and several sends in flight. */
export function produceRecords(producer: Producer, run: ProduceRun): Promise<ThroughputResult> {
  const perSend = run.recordsPerSend ?? RECORDS_PER_SEND;
  // one array reused by every unkeyed send: the SDK copies what it needs when it appends
  const unkeyed: Message[] = Array.from({ length: perSend }, () => ({ value: run.value }));
  const keyOf = run.keyOf;
  return runWindowed({
    total: run.total,
    chunk: perSend,
    window: run.sendsInFlight ?? SENDS_IN_FLIGHT,
    timeCapMs: run.timeCapMs,
    onProgress: run.onProgress,
    op: async (offset, count) => {
      const messages = keyOf
        ? Array.from({ length: count }, (_, i): Message => ({ key: keyOf(offset + i), value: run.value }))
        : count === unkeyed.length
          ? unkeyed
          : unkeyed.slice(0, count);
      await producer.send({ topic: run.topic, messages });
    },
  });
}

export interface ConsumeRun {
  topic: string;
  partitions: number;
  total: number;
  timeCapMs: number;
  onProgress?: (recordsDone: number) => void;
}

/**
 * Reads `total` records from offset 0 of every partition with one consumer (manual
 * assignment), timing from run() to the last record handed to the handler.
 */
export async function consumeFromStart(client: Tributary, run: ConsumeRun): Promise<ThroughputResult> {
  const consumer: Consumer = client.consumer(THROUGHPUT_CONSUMER);
  let received = 0;
  let lastAt = 0;
  try {
    await consumer.connect();
    consumer.assign(Array.from({ length: run.partitions }, (_, partition) => ({ topic: run.topic, partition, offset: 0 })));
    const start = performance.now();
    await consumer.run({
      eachBatch: async ({ batch }) => {
        received += batch.messages.length;
        lastAt = performance.now();
        run.onProgress?.(received);
      },
    });
    const complete = await waitForCondition(() => received >= run.total, run.timeCapMs, 2);
    const end = complete ? lastAt : performance.now();
    return { records: Math.min(received, run.total), seconds: (end - start) / 1000, capped: !complete };
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
