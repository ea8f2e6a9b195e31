import type { StructuredLogger } from '@tributary/coordination';

/**
 * The logger broker code writes to: coordination's StructuredLogger (one shape for both
 * libraries), named here for the broker's side. The broker process implements it over pino
 * (apps/broker); libs/broker never imports Nest or pino.
 */
export type BrokerLogger = StructuredLogger;
export { silentLogger, reasonOf, type LogFields } from '@tributary/coordination';
