// A private redis-server on a free loopback port in a temp dir, for tests that need isolation or kill Redis.
export { RedisServer } from '@tributary/process-kit';
