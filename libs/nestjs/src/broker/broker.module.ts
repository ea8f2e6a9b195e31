import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { BrokerNode, silentLogger, type BrokerConfig, type BrokerLogger } from '@tributary/broker';
import { BrokerMetrics } from '../observability/broker-metrics';
import { ObservabilityController } from '../observability/observability.controller';
import { BrokerGateway } from './broker.gateway';
import { GroupGateway } from './group.gateway';
import { InterBrokerAuthGateway } from './inter-broker-auth';
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

/**
 * A whole Tributary broker as a NestJS module: import it with a validated config and the
 * application serves the broker's WebSocket API on its HTTP server.
 */
@Module({})
export class TributaryBrokerModule {
  /**
   * `startOnInit: false` leaves `BrokerNode.start()` to the caller, after `app.listen()`: the
   * broker process does that so `/health/live` answers, and `/health/ready` says 503, while the
   * broker registers and loads its logs.
   */
  static forRoot(config: BrokerConfig, options: { logger?: BrokerLogger; startOnInit?: boolean } = {}): DynamicModule {
    return {
      module: TributaryBrokerModule,
      controllers: [ObservabilityController],
      providers: [
        { provide: BROKER_CONFIG, useValue: config },
        { provide: START_ON_INIT, useValue: options.startOnInit ?? true },
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
