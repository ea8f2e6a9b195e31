export { BrokerNode } from './node/broker-node';
export { loadBrokerConfig, ConfigError, type BrokerConfig, type BrokerEnv } from './config/broker-config';
export { DataDirLock, DataDirLockedError, type LockHolder } from './node/data-dir-lock';
export { Mailbox } from './actor/mailbox';
export { GroupCoordinatorManager } from './group/group-coordinator-manager';
export { installNativeCrc32c } from './native/native-crc32c';
export { InterBrokerAuth, type AuthenticatedBroker, type SecretSource } from './auth/inter-broker-auth';
export { runInRequestScope, currentRequestScope, type RequestScope } from './requests/request-scope';
export type { BrokerLimits } from './config/limits-config';
