import { Buffer } from 'buffer';

/**
 * socket.io hands binary attachments to Node as Buffer but to browsers as ArrayBuffer (or a
 * typed array); the protocol codecs want Buffer. Walks plain objects and arrays only, so class
 * instances are left alone.
 */
export function normalizeBinary(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(normalizeBinary);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = normalizeBinary(v);
  return out;
}
