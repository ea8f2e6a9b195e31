export * from './murmur2';
