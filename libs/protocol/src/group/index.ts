export * from './compute-assignment';
export * from './commit-fencing';
export * from './group-state-machine';
export * from './group-description';
