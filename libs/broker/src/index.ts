export { BrokerNode } from './node/broker-node';
export { loadBrokerConfig, ConfigError, type BrokerConfig, type BrokerEnv } from './config/broker-config';
export { Mailbox } from './actor/mailbox';
export { GroupCoordinatorManager } from './group/group-coordinator-manager';
export { installNativeCrc32c } from './native/native-crc32c';
export { runInRequestScope, currentRequestScope, type RequestScope } from './requests/request-scope';
export type { BrokerLimits } from './config/limits-config';
