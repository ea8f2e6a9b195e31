import { SetMetadata } from '@nestjs/common';
import { TRIBUTARY_LISTENER_METADATA } from '../tokens';
import type { TributaryListenerOptions } from './listener-options';

/**
 * Marks a provider method as a consumer: it is called with `(payload, ctx: TributaryContext)` for
 * every record of the topics, one record at a time per partition, in offset order. The consumer
 * joins its group once the application has started and leaves it at once on shutdown.
 */
export const TributaryListener = (options: TributaryListenerOptions): MethodDecorator => SetMetadata(TRIBUTARY_LISTENER_METADATA, options);
