import { Buffer } from 'buffer';
import { TributaryError } from '../errors';
import { RequestLimits } from './request-limits';

/** One partition's share of a produce request. */
export interface ProduceEntry {
  topic: string;
  partition: number;
  /** one or more record batches back to back */
  batches: Buffer;
}

/**
 * A produce request carries all its partitions in one buffer, because socket.io caps the
 * number of binary attachments per packet (10 by default): per entry,
 * int16 topic length, topic (utf8), int32 partition, int32 byte count, the batches.
 */
export function encodeProduceEntries(entries: readonly ProduceEntry[]): Buffer {
  const topics = entries.map((e) => Buffer.from(e.topic, 'utf8'));
  let size = 0;
  entries.forEach((e, i) => (size += 2 + topics[i].length + 8 + e.batches.length));
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  entries.forEach((e, i) => {
    pos = out.writeInt16BE(topics[i].length, pos);
    pos += topics[i].copy(out, pos);
    pos = out.writeInt32BE(e.partition, pos);
    pos = out.writeInt32BE(e.batches.length, pos);
    pos += e.batches.copy(out, pos);
  });
  return out;
}

/** Splits a produce buffer into entries (views, no copies); a malformed frame is INVALID_REQUEST. */
export function decodeProduceEntries(data: Buffer): ProduceEntry[] {
  const entries: ProduceEntry[] = [];
  const seen = new Set<string>();
  let pos = 0;
  while (pos < data.length) {
    if (entries.length >= RequestLimits.maxPartitionsPerRequest) {
      throw TributaryError.of('INVALID_REQUEST', `produce request has more than ${RequestLimits.maxPartitionsPerRequest} partitions`);
    }
    if (data.length - pos < 2) throw malformed(pos);
    const topicLength = data.readInt16BE(pos);
    pos += 2;
    if (topicLength <= 0 || data.length - pos < topicLength + 8) throw malformed(pos);
    const topic = data.toString('utf8', pos, pos + topicLength);
    pos += topicLength;
    const partition = data.readInt32BE(pos);
    const length = data.readInt32BE(pos + 4);
    pos += 8;
    if (length < 0 || data.length - pos < length) throw malformed(pos);
    // Two entries for one partition would be two appends with one answer slot: Kafka refuses it too.
    const key = `${partition}:${topic}`;
    if (seen.has(key)) throw TributaryError.of('INVALID_REQUEST', `produce request lists ${topic.slice(0, 249)}-${partition} twice`);
    seen.add(key);
    entries.push({ topic, partition, batches: data.subarray(pos, pos + length) });
    pos += length;
  }
  if (entries.length === 0) throw TributaryError.of('INVALID_REQUEST', 'produce request has no partitions');
  return entries;
}

function malformed(pos: number): TributaryError {
  return TributaryError.of('INVALID_REQUEST', `produce request data is malformed at byte ${pos}`);
}
