import { Buffer } from 'buffer';
import {
  encodeProduceEntries,
  ErrorCode,
  type FetchResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '@tributary/protocol';
import { waitFor } from './free-port';
import { RawSocket } from './raw-socket';

/**
 * How long a call and a wait for leaders may take: hang-catchers. On a host at load 30, creating
 * 400 partitions took 38 s and their leaders another 24 s, and a metadata call passed 10 s.
 */
const SLOW_HOST_MS = 90_000;

/** Raw wire calls for the timestamp and partition-offline tests: they send what the SDK would not build. */
export class Wire {
  private constructor(readonly sock: RawSocket) {}

  static async connect(url: string): Promise<Wire> {
    return new Wire(await RawSocket.connect(url, SLOW_HOST_MS));
  }

  async produce(topic: string, partition: number, batches: Buffer, acks = -1): Promise<{ errorCode: number; errorMessage?: string; baseOffset: number }> {
    const r = await this.sock.request<ProduceResponse>('produce', { acks, timeoutMs: 10_000, data: encodeProduceEntries([{ topic, partition, batches }]) });
    return r.errorCode !== ErrorCode.NONE ? { errorCode: r.errorCode, baseOffset: -1 } : r.partitions[0];
  }

  async fetch(topic: string, partition: number, fetchOffset = 0): Promise<{ errorCode: number; records: Buffer; highWatermark: number }> {
    const r = await this.sock.request<FetchResponse>('fetch', {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      partitions: [{ topic, partition, fetchOffset, partitionMaxBytes: 1 << 20 }],
    });
    const p = r.partitions[0];
    return { errorCode: p.errorCode, records: Buffer.from(r.records ?? Buffer.alloc(0)).subarray(0, p.byteLength), highWatermark: p.highWatermark };
  }

  async listOffsets(topic: string, partition: number, timestamp: number): Promise<{ errorCode: number; offset: number; timestamp: number }> {
    const r = await this.sock.request<ListOffsetsResponse>('listOffsets', { partitions: [{ topic, partition, timestamp }] });
    return r.partitions[0];
  }

  metadata(topics?: string[]): Promise<MetadataResponse> {
    return this.sock.request<MetadataResponse>('metadata', topics ? { topics } : {});
  }

  close(): void {
    this.sock.close();
  }
}

/** Waits until every partition of `topic` has a leader with a claimed epoch and (optionally) a full ISR. */
export async function waitForLeaders(wire: Wire, topic: string, isrSize = 1): Promise<MetadataResponse> {
  return waitFor(
    `leaders of ${topic}`,
    async () => {
      const m = await wire.metadata([topic]);
      const t = m.topics[0];
      return t.errorCode === 0 && t.partitions.every((p) => p.leader >= 0 && p.leaderEpoch > 0 && p.isr.length >= isrSize) ? m : null;
    },
    SLOW_HOST_MS,
    100,
  );
}
