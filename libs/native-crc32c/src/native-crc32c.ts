import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import { useCrc32cImplementation } from '@tributary/protocol';

/**
 * Node processes (brokers, the CLI, the bench) check and compute batch CRCs with the native,
 * SIMD CRC-32C from @node-rs/crc32: about ten times the pure-JS speed. Browsers keep the
 * pure-JS default in libs/protocol. If the native addon cannot load, nothing changes.
 */
export function installNativeCrc32c(): boolean {
  try {
    useCrc32cImplementation((data) => nativeCrc32c(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
    return true;
  } catch {
    return false;
  }
}
