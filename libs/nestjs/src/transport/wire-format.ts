import { Buffer } from 'buffer';
import type { Message } from '@tributary/client';

/** Headers the transport puts on records, like Nest's Kafka transport's kafka_* headers. */
export const TransportHeaders = {
  correlationId: 'tributary-correlation-id',
  replyTopic: 'tributary-reply-topic',
  /** on a reply: the value is the serialized error */
  error: 'tributary-error',
} as const;

/** What emit()/send() accept as data: a record's parts, or any value (sent as the record's value). */
export interface OutgoingRecord {
  key?: string | Buffer | null;
  value: unknown;
  headers?: Record<string, string | Buffer>;
  partition?: number;
}

const RECORD_FIELDS = new Set(['key', 'value', 'headers', 'partition']);

function isOutgoingRecord(data: unknown): data is OutgoingRecord {
  return typeof data === 'object' && data !== null && 'value' in data && Object.keys(data).every((k) => RECORD_FIELDS.has(k));
}

/** Buffers go as they are; anything else as JSON. */
export function encodeValue(value: unknown): Buffer | null {
  if (value === undefined || value === null) return null;
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** JSON when it parses, else the text. */
export function decodeValue(value: Buffer | null): unknown {
  if (value === null) return null;
  const text = value.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function toMessage(data: unknown, extraHeaders: Record<string, string> = {}): Message {
  if (isOutgoingRecord(data)) {
    return { key: data.key ?? null, value: encodeValue(data.value), headers: { ...data.headers, ...extraHeaders }, partition: data.partition };
  }
  return { value: encodeValue(data), headers: extraHeaders };
}
