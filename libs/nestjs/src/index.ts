export { TributaryBrokerModule } from './broker/broker.module';
export { BrokerIoAdapter } from './broker/broker-io-adapter';
export { BROKER_CONFIG } from './broker/tokens';
export {
  ANONYMOUS,
  BROKER_PRINCIPAL,
  clearPrincipal,
  isAuthenticated,
  principalExpiresAt,
  principalOf,
  setPrincipal,
  userPrincipal,
  type Principal,
} from './broker/connection-principal';
