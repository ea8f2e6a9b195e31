import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { BrokerNode, silentLogger, type BrokerConfig, type BrokerLogger } from '@tributary/broker';
import { BrokerMetrics } from '../observability/broker-metrics';
import { ObservabilityController } from '../observability/observability.controller';
import { BrokerGateway } from './broker.gateway';
import { GroupGateway } from './group.gateway';
import { InterBrokerAuthGateway } from './inter-broker-auth';
import { BROKER_CONFIG } from './tokens';

/** Starts the broker node when the module initialises and stops it on shutdown. */
class BrokerLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(BrokerNode) private readonly node: BrokerNode) {}

  async onModuleInit(): Promise<void> {
    await this.node.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.node.stop();
  }
}

/**
 * A whole Tributary broker as a NestJS module: import it with a validated config and the
 * application serves the broker's WebSocket API on its HTTP server.
 */
@Module({})
export class TributaryBrokerModule {
  static forRoot(config: BrokerConfig, options: { logger?: BrokerLogger } = {}): DynamicModule {
    return {
      module: TributaryBrokerModule,
      controllers: [ObservabilityController],
      providers: [
        { provide: BROKER_CONFIG, useValue: config },
        { provide: BrokerNode, useFactory: (c: BrokerConfig) => new BrokerNode(c, options.logger ?? silentLogger), inject: [BROKER_CONFIG] },
        { provide: BrokerMetrics, useFactory: (node: BrokerNode) => new BrokerMetrics(node), inject: [BrokerNode] },
        BrokerLifecycle,
        BrokerGateway,
        GroupGateway,
        InterBrokerAuthGateway,
      ],
      exports: [BrokerNode, BrokerMetrics],
    };
  }
}
