export * from './errors';
export * from './batch';
export * from './idempotence';
export * from './group';
export * from './partitioner';
export * from './wire';
