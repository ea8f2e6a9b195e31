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
  principalSource,
  setPrincipal,
  userPrincipal,
  type Principal,
  type PrincipalSource,
} from './broker/connection-principal';
export type { TributaryBrokerAsyncOptions, TributaryBrokerOptions } from './broker/broker.module';

// the client side: module, listeners, microservice transport, health
export { TributaryModule } from './client/tributary.module';
export { MODULE_OPTIONS_TOKEN as TRIBUTARY_MODULE_OPTIONS } from './client/module-definition';
export type { TributaryModuleOptions } from './client/module-options';
export { InjectAdmin, InjectProducer } from './client/inject.decorators';
export { TRIBUTARY_ADMIN, TRIBUTARY_PRODUCER } from './client/tokens';
export { TributaryListener } from './client/listener/listener.decorator';
export type { TributaryListenerOptions } from './client/listener/listener-options';
export { TributaryContext } from './client/listener/tributary-context';
export { ListenerExplorer as TributaryListeners } from './client/listener/listener-explorer';
export { PayloadDecodeError, type PayloadDecoder } from './client/listener/payload-decoder';
export { DeadLetterHeaders, DEFAULT_LISTENER_RETRY, type ListenerRetryPolicy } from './client/listener/retry-policy';
export { TributaryServer, type TributaryServerOptions } from './transport/tributary.server';
export { TributaryClient, ReplyTimeoutError, type TributaryClientOptions } from './transport/tributary.client';
export { TributaryRpcContext } from './transport/tributary-rpc.context';
export { TransportHeaders, type OutgoingRecord } from './transport/wire-format';
export { TributaryHealthIndicator, type TributaryHealthOptions, type TributaryHealthResult } from './health/tributary-health.indicator';
export { BrokerMetrics } from './observability/broker-metrics';
export { createPinoLogger, PinoBrokerLogger, PinoNestLogger, type LogLevelName } from './observability/pino-logger';
