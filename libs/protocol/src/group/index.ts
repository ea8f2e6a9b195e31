export * from './compute-assignment';
export * from './commit-fencing';
