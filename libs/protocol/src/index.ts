export * from './errors';
export * from './batch';
export * from './idempotence';
export * from './partitioner';
export * from './wire';
