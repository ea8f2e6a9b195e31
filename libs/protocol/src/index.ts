export * from './errors';
export * from './batch';
export * from './partitioner';
export * from './wire';
