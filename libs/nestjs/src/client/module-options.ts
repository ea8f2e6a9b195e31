import type { AdminOptions, ProducerOptions, TributaryConfig } from '@tributary/client';
import type { ListenerRetryPolicy } from './listener/retry-policy';

/** What TributaryModule.forRoot takes: the SDK's config plus the shared producer's and admin's options. */
export interface TributaryModuleOptions extends TributaryConfig {
  /** options of the shared, injectable producer */
  producer?: ProducerOptions;
  /** options of the shared, injectable admin */
  admin?: AdminOptions;
  /** the retry policy of every @TributaryListener that does not set its own */
  listenerRetry?: Partial<ListenerRetryPolicy>;
}
