import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Producer, Tributary } from '@tributary/client';
import { MODULE_OPTIONS_TOKEN } from '../module-definition';
import type { TributaryModuleOptions } from '../module-options';
import { TRIBUTARY_LISTENER_METADATA, TRIBUTARY_PRODUCER } from '../tokens';
import type { TributaryListenerOptions } from './listener-options';
import { ListenerRunner, type ListenerHandler } from './listener-runner';
import { resolveRetryPolicy } from './retry-policy';

/**
 * Finds every @TributaryListener method (on providers and controllers) once the application has
 * started and runs a consumer for each; on shutdown (the first hook Nest calls) the consumers
 * commit and leave their groups. Import TributaryModule.forRoot once per application: each
 * import's explorer would start every listener it finds.
 */
@Injectable()
export class ListenerExplorer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TributaryListeners');
  private readonly runners: ListenerRunner[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(Tributary) private readonly client: Tributary,
    @Inject(TRIBUTARY_PRODUCER) private readonly producer: Producer,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: TributaryModuleOptions,
  ) {}

  /** the running listeners, by "Class.method" */
  listeners(): ReadonlyMap<string, ListenerRunner> {
    return new Map(this.runners.map((r) => [r.name, r]));
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = (prototype as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const options = this.reflector.get<TributaryListenerOptions | undefined>(TRIBUTARY_LISTENER_METADATA, fn);
        if (!options) continue;
        const handler = (fn as ListenerHandler).bind(instance);
        const name = `${instance.constructor.name}.${method}`;
        const retry = resolveRetryPolicy(this.options.listenerRetry, options.retry);
        this.runners.push(new ListenerRunner(this.client, options, handler, retry, this.producer, name));
      }
    }
    for (const runner of this.runners) {
      if (runner.topics.length === 0) throw new Error(`@TributaryListener on ${runner.name} names no topic: give topic or topics`);
      await runner.start();
      this.logger.log(`${runner.name} consumes ${runner.topics.join(', ')}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    const results = await Promise.allSettled(this.runners.map((r) => r.stop()));
    for (const r of results) if (r.status === 'rejected') this.logger.error(`a listener failed to leave its group: ${String(r.reason)}`);
    this.runners.length = 0;
  }
}
