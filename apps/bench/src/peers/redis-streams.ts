import { performance } from 'perf_hooks';
import type Redis from 'ioredis';
import { runWindowed, type ThroughputResult } from '../measure';
import type { BenchRedis } from '../processes/redis-server';

/** XADD per pipeline and pipelines outstanding on the one connection (the best of a small sweep). */
export const XADD_PER_PIPELINE = 1000;
export const PIPELINES_IN_FLIGHT = 4;
export const XREAD_COUNT = 1000;

export const REDIS_GUARANTEE = '1 copy in memory, no fsync (appendonly no)';

export interface RedisProduceRun {
  stream: string;
  value: Buffer;
  total: number;
  timeCapMs: number;
  onProgress?: (done: number) => void;
}

/**
 * Redis Streams as the peer users would otherwise pick: one stream, XADD with server ids,
 * pipelined. The same Redis the brokers coordinate through (the bench's own, not shared).
 */
export class RedisStreamsPeer {
  constructor(private readonly redis: BenchRedis) {}

  async produce(run: RedisProduceRun): Promise<ThroughputResult> {
    const client = this.redis.client();
    try {
      await client.ping();
      return await runWindowed({
        total: run.total,
        chunk: XADD_PER_PIPELINE,
        window: PIPELINES_IN_FLIGHT,
        timeCapMs: run.timeCapMs,
        onProgress: run.onProgress,
        op: async (_offset, count) => {
          const pipeline = client.pipeline();
          for (let i = 0; i < count; i++) pipeline.xadd(run.stream, '*', 'v', run.value);
          const results = await pipeline.exec();
          const failed = results?.find(([err]) => err !== null);
          if (!results || failed) throw new Error(`XADD failed: ${failed?.[0]?.message ?? 'no reply'}`);
        },
      });
    } finally {
      client.disconnect();
    }
  }

  /** One reader, XREAD COUNT chunks from the start of the stream, each read after the last. */
  async consumeXread(stream: string, total: number, timeCapMs: number, onProgress?: (done: number) => void): Promise<ThroughputResult> {
    const client = this.redis.client();
    try {
      await client.ping();
      const start = performance.now();
      const deadline = start + timeCapMs;
      let lastId = '0-0';
      let received = 0;
      const maxReads = Math.ceil(total / XREAD_COUNT) * 4 + 100;
      for (let reads = 0; received < total && reads < maxReads && performance.now() < deadline; reads++) {
        const reply = await client.xreadBuffer('COUNT', XREAD_COUNT, 'STREAMS', stream, lastId);
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) break;
        received += entries.length;
        lastId = entries[entries.length - 1][0].toString();
        onProgress?.(received);
      }
      return { records: Math.min(received, total), seconds: (performance.now() - start) / 1000, capped: received < total };
    } finally {
      client.disconnect();
    }
  }

  /**
   * A consumer group of `members` readers (one connection each) sharing the stream with
   * XREADGROUP, each acknowledging every chunk with XACK, as a group user must.
   */
  async consumeGroup(stream: string, total: number, members: number, timeCapMs: number, onProgress?: (done: number) => void): Promise<ThroughputResult> {
    const admin = this.redis.client();
    const clients: Redis[] = [];
    try {
      await admin.xgroup('CREATE', stream, 'bench', '0');
      for (let i = 0; i < members; i++) clients.push(this.redis.client());
      const start = performance.now();
      const deadline = start + timeCapMs;
      let received = 0;
      const maxReadsEach = Math.ceil(total / XREAD_COUNT) * 4 + 200;
      await Promise.all(
        clients.map(async (c, i) => {
          for (let reads = 0; received < total && reads < maxReadsEach && performance.now() < deadline; reads++) {
            // BLOCK briefly so a member with nothing left waits instead of spinning
            const reply: unknown = await c.callBuffer('XREADGROUP', 'GROUP', 'bench', `member-${i}`, 'COUNT', XREAD_COUNT, 'BLOCK', 10, 'STREAMS', stream, '>');
            const ids = entryIds(reply);
            if (ids.length === 0) continue;
            await c.xack(stream, 'bench', ...ids);
            received += ids.length;
            onProgress?.(received);
          }
        }),
      );
      return { records: Math.min(received, total), seconds: (performance.now() - start) / 1000, capped: received < total };
    } finally {
      for (const c of clients) c.disconnect();
      admin.disconnect();
    }
  }

  async deleteStream(stream: string): Promise<void> {
    const client = this.redis.client();
    try {
      await client.del(stream);
    } finally {
      client.disconnect();
    }
  }
}

/** The entry ids of a one-stream XREAD/XREADGROUP reply ([[stream, [[id, fields], ...]]] or nil), checked at runtime. */
function entryIds(reply: unknown): Buffer[] {
  if (!Array.isArray(reply)) return [];
  const first: unknown = reply[0];
  if (!Array.isArray(first) || !Array.isArray(first[1])) return [];
  const ids: Buffer[] = [];
  for (const entry of first[1] as unknown[]) {
    if (Array.isArray(entry) && Buffer.isBuffer(entry[0])) ids.push(entry[0]);
  }
  return ids;
}
