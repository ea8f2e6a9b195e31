import { InvalidArgumentError } from 'commander';
import type { Admin, PartitionOffsets } from '@tributary/client';

/** Where `consume --offset` starts: kcat's -o (earliest, latest, an absolute offset, N from the end, or a time). */
export type StartOffset =
  { kind: 'earliest' } | { kind: 'latest' } | { kind: 'absolute'; offset: number } | { kind: 'fromEnd'; count: number } | { kind: 'timestamp'; ms: number };

export function parseStartOffset(value: string): StartOffset {
  if (value === 'earliest' || value === 'beginning') return { kind: 'earliest' };
  if (value === 'latest' || value === 'end') return { kind: 'latest' };
  if (/^\d+$/.test(value)) return { kind: 'absolute', offset: Number(value) };
  if (/^-\d+$/.test(value)) return { kind: 'fromEnd', count: -Number(value) };
  if (value.startsWith('@')) {
    const text = value.slice(1);
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (Number.isFinite(ms)) return { kind: 'timestamp', ms };
  }
  throw new InvalidArgumentError(`--offset must be earliest, latest, N, -N (N from the end) or @timestamp (ms or ISO date), got '${value}'`);
}

/** The offset to start each partition at; an absolute offset outside [low, high] is clamped, as a fetch would reset it. */
export async function resolveStartOffsets(admin: Admin, topic: string, ends: PartitionOffsets[], start: StartOffset): Promise<Map<number, number>> {
  const at = new Map<number, number>();
  if (start.kind === 'timestamp') {
    const found = await admin.fetchTopicOffsetsByTimestamp(topic, start.ms);
    for (const e of ends) at.set(e.partition, found.find((f) => f.partition === e.partition)?.offset ?? Number(e.high));
    return at;
  }
  for (const e of ends) {
    const low = Number(e.low);
    const high = Number(e.high);
    const offset =
      start.kind === 'earliest' ? low : start.kind === 'latest' ? high : start.kind === 'absolute' ? start.offset : Math.max(low, high - start.count);
    at.set(e.partition, Math.min(high, Math.max(low, offset)));
  }
  return at;
}
