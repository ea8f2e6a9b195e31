// crc-32's CRC32C is pure JS (slice-by-16), so the same code runs in browsers and in Node.
import * as CRC32C from 'crc-32/crc32c';

/** CRC-32C (Castagnoli) as an unsigned 32-bit number, as RecordBatch v2 stores it. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  const view = start === 0 && end === data.length ? data : data.subarray(start, end);
  return CRC32C.buf(view) >>> 0;
}
