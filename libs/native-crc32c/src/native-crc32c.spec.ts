import { randomBytes } from 'crypto';
import * as CRC32C from 'crc-32/crc32c';
import { crc32c, encodeRecordBatch, useCrc32cImplementation, validateRecordBatches } from '@tributary/protocol';
import { installNativeCrc32c } from './native-crc32c';

describe('native CRC-32C', () => {
  afterAll(() => useCrc32cImplementation((d) => CRC32C.buf(d) >>> 0));

  it('installs and agrees with the pure-JS CRC on random data and on sub-views', () => {
    expect(installNativeCrc32c()).toBe(true);
    for (let i = 0; i < 50; i++) {
      const data = randomBytes(1 + Math.floor(Math.random() * 5000));
      const start = Math.floor(Math.random() * data.length);
      expect(crc32c(data, start)).toBe(CRC32C.buf(data.subarray(start)) >>> 0);
    }
    const batch = encodeRecordBatch([{ key: null, value: Buffer.from('x'), timestamp: 1 }]);
    expect(validateRecordBatches(batch, 1 << 20)).toHaveLength(1);
  });

  it('refuses an implementation that fails the check value', () => {
    expect(() => useCrc32cImplementation(() => 42)).toThrow(/check value/);
  });
});
