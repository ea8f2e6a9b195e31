export { TributaryBrokerModule } from './broker/broker.module';
export { BrokerIoAdapter } from './broker/broker-io-adapter';
export { BROKER_CONFIG } from './broker/tokens';
