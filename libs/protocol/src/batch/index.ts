export * from './record';
export * from './record-batch';
export * from './timestamp';
export * from './batch-timestamps';
export * from './crc32c';
export { ByteReader } from './byte-reader';
export { ByteWriter } from './byte-writer';
export * as BatchLayout from './layout';
