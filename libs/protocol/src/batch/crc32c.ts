// crc-32's CRC32C is pure JS (slice-by-16), so the same code runs in browsers and in Node.
import * as CRC32C from 'crc-32/crc32c';

/** A CRC-32C function over a whole view, returning the unsigned value. */
export type Crc32cImplementation = (data: Uint8Array) => number;

const pureJs: Crc32cImplementation = (data) => CRC32C.buf(data) >>> 0;
let implementation: Crc32cImplementation = pureJs;

/**
 * Swaps in a faster CRC-32C (Node processes install a native one: it was a tenth of a
 * broker's CPU in pure JS). The replacement must agree with the pure-JS one; it is checked
 * against the standard test vector before it is used.
 */
export function useCrc32cImplementation(fn: Crc32cImplementation): void {
  const check = new TextEncoder().encode('123456789');
  if (fn(check) >>> 0 !== 0xe3069283) throw new Error('CRC-32C implementation fails the standard check value');
  implementation = fn;
}

/** CRC-32C (Castagnoli) as an unsigned 32-bit number, as RecordBatch v2 stores it. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  const view = start === 0 && end === data.length ? data : data.subarray(start, end);
  return implementation(view) >>> 0;
}
