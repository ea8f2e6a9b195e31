import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { BrokerNode, type BrokerConfig } from '@tributary/broker';
import { BrokerGateway } from './broker.gateway';
import { GroupGateway } from './group.gateway';
import { InterBrokerAuthGateway } from './inter-broker-auth';
import { QuotaGateway } from './quota.gateway';
import { SaslGateway } from './sasl.gateway';
import { SecurityAdminGateway } from './security-admin.gateway';
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
  static forRoot(config: BrokerConfig): DynamicModule {
    return {
      module: TributaryBrokerModule,
      providers: [
        { provide: BROKER_CONFIG, useValue: config },
        { provide: BrokerNode, useFactory: (c: BrokerConfig) => new BrokerNode(c), inject: [BROKER_CONFIG] },
        BrokerLifecycle,
        BrokerGateway,
        GroupGateway,
        InterBrokerAuthGateway,
        QuotaGateway,
        SaslGateway,
        SecurityAdminGateway,
      ],
      exports: [BrokerNode],
    };
  }
}
