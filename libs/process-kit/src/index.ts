// Starting and stopping the processes a cluster is made of, shared by the CLI's local cluster, the bench and the tests.
export { BrokerProcess, type BrokerProcessOptions } from './broker-process';
export { findOnPath } from './executable';
export { freePort, portAnswers } from './free-port';
export { ManagedProcess, type ManagedProcessOptions } from './managed-process';
export { redisAnswers } from './redis-probe';
export { RedisServer, type RedisServerOptions } from './redis-server';
export { ProcessRegistry } from './registry';
export { residentKiB } from './rss';
export { sleep, StopWaiting, waitUntil } from './wait';
