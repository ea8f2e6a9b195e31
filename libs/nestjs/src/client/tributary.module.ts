import { Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Admin, Producer, Tributary } from '@tributary/client';
import { TributaryHealthIndicator } from '../health/tributary-health.indicator';
import { ListenerExplorer } from './listener/listener-explorer';
import { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } from './module-definition';
import type { TributaryModuleOptions } from './module-options';
import { TRIBUTARY_ADMIN, TRIBUTARY_PRODUCER } from './tokens';

/** Connects the shared producer and admin on init; on shutdown flushes the producer, then closes everything. */
@Injectable()
class ClientLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('TributaryModule');

  constructor(
    @Inject(Tributary) private readonly client: Tributary,
    @Inject(TRIBUTARY_PRODUCER) private readonly producer: Producer,
    @Inject(TRIBUTARY_ADMIN) private readonly admin: Admin,
  ) {}

  async onModuleInit(): Promise<void> {
    await Promise.all([this.producer.connect(), this.admin.connect()]);
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.producer.flush();
    } catch (err) {
      this.logger.error(`records still buffered at shutdown could not be sent: ${String(err)}`);
    }
    // disconnects the producer, the admin and anything else made from this client
    await this.client.disconnect();
  }
}

/**
 * The client side of Tributary for a Nest application: an injectable Tributary, a shared
 * Producer and Admin (@InjectProducer(), @InjectAdmin()), and @TributaryListener consumers.
 * `TributaryModule.forRoot({ brokers, clientId, isGlobal })` or `forRootAsync({ imports, useFactory, inject })`.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: Tributary, useFactory: (o: TributaryModuleOptions) => new Tributary(o), inject: [MODULE_OPTIONS_TOKEN] },
    { provide: TRIBUTARY_PRODUCER, useFactory: (c: Tributary, o: TributaryModuleOptions) => c.producer(o.producer), inject: [Tributary, MODULE_OPTIONS_TOKEN] },
    { provide: TRIBUTARY_ADMIN, useFactory: (c: Tributary, o: TributaryModuleOptions) => c.admin(o.admin), inject: [Tributary, MODULE_OPTIONS_TOKEN] },
    ClientLifecycle,
    ListenerExplorer,
    TributaryHealthIndicator,
  ],
  exports: [Tributary, TRIBUTARY_PRODUCER, TRIBUTARY_ADMIN, ListenerExplorer, TributaryHealthIndicator],
})
export class TributaryModule extends ConfigurableModuleClass {}
