export { TributaryBrokerModule } from './broker/broker.module';
export { BrokerIoAdapter, type BrokerIoSecurity } from './broker/broker-io-adapter';
export { httpsOptions, reloadCertificatesOnChange } from './broker/tls-listener';
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
