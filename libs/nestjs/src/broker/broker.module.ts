import { Inject, Module, type DynamicModule, type FactoryProvider, type ModuleMetadata, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { BrokerNode, silentLogger, type BrokerConfig, type BrokerLogger } from '@tributary/broker';
import { BrokerMetrics } from '../observability/broker-metrics';
import { ConsoleController } from '../console/console.controller';
import { ObservabilityController } from '../observability/observability.controller';
import { BrokerGateway } from './broker.gateway';
import { GroupGateway } from './group.gateway';
import { InterBrokerAuthGateway } from './inter-broker-auth';
import { QuotaGateway } from './quota.gateway';
import { SaslGateway } from './sasl.gateway';
import { SecurityAdminGateway } from './security-admin.gateway';
import { BROKER_CONFIG } from './tokens';

const START_ON_INIT = Symbol('TRIBUTARY_BROKER_START_ON_INIT');

/** Starts the broker node when the module initialises and stops it on shutdown. */
class BrokerLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(BrokerNode) private readonly node: BrokerNode,
    @Inject(START_ON_INIT) private readonly startOnInit: boolean,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.startOnInit) await this.node.start();
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
/** How the embedding application runs the broker: its logger, and whether module init starts it. */
export interface TributaryBrokerOptions {
  logger?: BrokerLogger;
  startOnInit?: boolean;
}

@Module({})
export class TributaryBrokerModule {
  /**
   * `startOnInit: false` leaves `BrokerNode.start()` to the caller, after `app.listen()`: the
   * broker process does that so `/health/live` answers, and `/health/ready` says 503, while the
   * broker registers and loads its logs.
   */
  static forRoot(config: BrokerConfig, options: TributaryBrokerOptions = {}): DynamicModule {
    return TributaryBrokerModule.with({ provide: BROKER_CONFIG, useValue: config }, options);
  }

  /** The config from a factory (e.g. reading @nestjs/config's ConfigService), resolved before the broker starts. */
  static forRootAsync(options: TributaryBrokerAsyncOptions, brokerOptions: TributaryBrokerOptions = {}): DynamicModule {
    return {
      ...TributaryBrokerModule.with({ provide: BROKER_CONFIG, useFactory: options.useFactory, inject: options.inject ?? [] }, brokerOptions),
      imports: options.imports ?? [],
    };
  }

  private static with(
    configProvider: { provide: symbol; useValue: BrokerConfig } | FactoryProvider<BrokerConfig | Promise<BrokerConfig>>,
    options: TributaryBrokerOptions,
  ): DynamicModule {
    return {
      module: TributaryBrokerModule,
      controllers: [ObservabilityController, ConsoleController],
      providers: [
        configProvider,
        { provide: START_ON_INIT, useValue: options.startOnInit ?? true },
        { provide: BrokerNode, useFactory: (c: BrokerConfig) => new BrokerNode(c, options.logger ?? silentLogger), inject: [BROKER_CONFIG] },
        { provide: BrokerMetrics, useFactory: (node: BrokerNode) => new BrokerMetrics(node), inject: [BrokerNode] },
        BrokerLifecycle,
        BrokerGateway,
        GroupGateway,
        InterBrokerAuthGateway,
        QuotaGateway,
        SaslGateway,
        SecurityAdminGateway,
      ],
      exports: [BrokerNode, BrokerMetrics],
    };
  }
}
