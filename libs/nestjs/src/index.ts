export { TributaryBrokerModule } from './broker/broker.module';
export { BrokerIoAdapter } from './broker/broker-io-adapter';
export { BROKER_CONFIG } from './broker/tokens';
export { BrokerMetrics } from './observability/broker-metrics';
export { createPinoLogger, PinoBrokerLogger, PinoNestLogger, type LogLevelName } from './observability/pino-logger';
