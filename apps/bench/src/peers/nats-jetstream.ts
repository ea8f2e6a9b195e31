import { StorageType, type NatsConnection } from 'nats';
import { runWindowed, type ThroughputResult } from '../measure';
import type { NatsServers } from '../processes/nats-server';

/** Publishes awaited at once: JetStream acks each message, so throughput needs many outstanding. */
export const PUBLISHES_IN_FLIGHT = 512;
/** Records packed into one message in the packed variant (as a batching user would). */
export const RECORDS_PER_PACKED_MESSAGE = 100;

export function jetStreamGuarantee(replicas: 1 | 3): string {
  return replicas === 1
    ? 'JetStream R1 file store, ack after the server stored it (no per-message fsync)'
    : 'JetStream R3 file store, quorum ack (2 of 3 stored; no per-message fsync)';
}

/**
 * Packs records as [u32 length][bytes]... so a packed message carries the same bytes a
 * consumer would need to split it again; the frame is built once and reused.
 */
export function packRecords(value: Buffer, count: number): Buffer {
  const frame = Buffer.allocUnsafe(count * (4 + value.length));
  let at = 0;
  for (let i = 0; i < count; i++) {
    frame.writeUInt32BE(value.length, at);
    value.copy(frame, at + 4);
    at += 4 + value.length;
  }
  return frame;
}

export interface JetStreamProduceRun {
  /** unique per run, also the stream's name */
  name: string;
  value: Buffer;
  total: number;
  /** 1: one record per message; more: that many records packed per message */
  recordsPerMessage: number;
  timeCapMs: number;
  onProgress?: (recordsDone: number) => void;
}

/** NATS JetStream through the `nats` package: one stream on file storage with 1 or 3 replicas. */
export class JetStreamPeer {
  constructor(
    private readonly servers: NatsServers,
    readonly replicas: 1 | 3,
  ) {}

  async produce(run: JetStreamProduceRun): Promise<ThroughputResult> {
    const nc: NatsConnection = await this.servers.connect();
    const subject = `bench.${run.name}`;
    try {
      const jsm = await nc.jetstreamManager({ timeout: 10_000 });
      await jsm.streams.add({ name: run.name, subjects: [subject], storage: StorageType.File, num_replicas: this.replicas });
      const js = nc.jetstream({ timeout: 30_000 });
      const payload = run.recordsPerMessage === 1 ? run.value : packRecords(run.value, run.recordsPerMessage);
      const result = await runWindowed({
        total: run.total,
        chunk: run.recordsPerMessage,
        window: run.recordsPerMessage === 1 ? PUBLISHES_IN_FLIGHT : Math.max(8, Math.floor(PUBLISHES_IN_FLIGHT / 16)),
        timeCapMs: run.timeCapMs,
        onProgress: run.onProgress,
        op: async (_offset, count) => {
          // a short last message carries only the records left, so every system moves the same count
          await js.publish(subject, count === run.recordsPerMessage ? payload : packRecords(run.value, count));
        },
      });
      await jsm.streams.delete(run.name).catch(() => undefined);
      return result;
    } finally {
      await nc.close().catch(() => undefined);
    }
  }
}
