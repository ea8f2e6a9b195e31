export * from './events';
export * from './messages';
export * from './produce-frame';
export * from './schemas';
export * from './topic-name';
export * from './topic-config';
export * from './group-messages';
export * from './group-schemas';
