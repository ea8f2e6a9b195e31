export * from './record';
export * from './record-batch';
export * from './crc32c';
export { ByteReader } from './byte-reader';
export { ByteWriter } from './byte-writer';
export * as BatchLayout from './layout';
