import type { ConsumerOptions } from '@tributary/client';
import type { PayloadDecoder } from './payload-decoder';
import type { ListenerRetryPolicy } from './retry-policy';

/** Options of @TributaryListener: one consumer (group member) per decorated method. */
export interface TributaryListenerOptions {
  topic?: string;
  topics?: string[];
  groupId: string;
  /** where to start in partitions the group never committed; default false (latest) */
  fromBeginning?: boolean;
  /** commit handled records' offsets on an interval and on rebalance/leave; default true */
  autoCommit?: boolean;
  /** default 'json' */
  decode?: PayloadDecoder;
  /** overrides the module's listenerRetry */
  retry?: Partial<ListenerRetryPolicy>;
  /** how long application start waits for the first group join before going on without it; default 30000 */
  joinTimeoutMs?: number;
  /** anything else the SDK's consumer takes (sessionTimeoutMs, heartbeatIntervalMs, assignors...) */
  consumer?: Omit<ConsumerOptions, 'groupId' | 'autoCommit'>;
}
