import { Inject, Module, type DynamicModule, type FactoryProvider, type ModuleMetadata, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
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

export interface TributaryBrokerAsyncOptions {
  imports?: ModuleMetadata['imports'];
  useFactory: FactoryProvider<BrokerConfig | Promise<BrokerConfig>>['useFactory'];
  inject?: FactoryProvider['inject'];
}

/**
 * A whole Tributary broker as a NestJS module: import it with a validated config and the
 * application serves the broker's WebSocket API on its HTTP server.
 */
@Module({})
export class TributaryBrokerModule {
  static forRoot(config: BrokerConfig): DynamicModule {
    return TributaryBrokerModule.with({ provide: BROKER_CONFIG, useValue: config });
  }

  /** The config from a factory (e.g. reading @nestjs/config's ConfigService), resolved before the broker starts. */
  static forRootAsync(options: TributaryBrokerAsyncOptions): DynamicModule {
    return {
      ...TributaryBrokerModule.with({ provide: BROKER_CONFIG, useFactory: options.useFactory, inject: options.inject ?? [] }),
      imports: options.imports ?? [],
    };
  }

  private static with(configProvider: { provide: symbol; useValue: BrokerConfig } | FactoryProvider<BrokerConfig | Promise<BrokerConfig>>): DynamicModule {
    return {
      module: TributaryBrokerModule,
      providers: [
        configProvider,
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
