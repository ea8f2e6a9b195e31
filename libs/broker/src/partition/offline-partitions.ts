import { TributaryError } from '@tributary/protocol';
import { silentLogger, type BrokerLogger } from '../logging/broker-logger';

export interface OfflinePartition {
  topic: string;
  partition: number;
  reason: string;
  since: number;
}

/**
 * This broker's replicas whose log failed (cannot be opened, or a background task or write
 * hit a storage error). Like Kafka's offline log dirs, such a replica stays offline until the
 * broker restarts: what is on disk is unknown, so it neither serves nor accepts writes, while
 * the broker and every other partition carry on.
 */
export class OfflinePartitions {
  private readonly entries = new Map<string, OfflinePartition>();

  constructor(
    private readonly brokerId: number,
    private readonly logger: BrokerLogger = silentLogger,
  ) {}

  /** Records the partition offline and logs why (once); returns false when it already was. */
  add(topic: string, partition: number, reason: string): boolean {
    const k = key(topic, partition);
    if (this.entries.has(k)) return false;
    this.entries.set(k, { topic, partition, reason, since: Date.now() });
    // One structured line per partition: an operator must see which log failed and why.
    this.logger.error('partition offline', { event: 'partition-offline', topic, partition, reason, brokerId: this.brokerId });
    return true;
  }

  get(topic: string, partition: number): OfflinePartition | undefined {
    return this.entries.get(key(topic, partition));
  }

  has(topic: string, partition: number): boolean {
    return this.entries.has(key(topic, partition));
  }

  /** Forgets partitions no longer assigned here (e.g. a deleted topic). */
  retain(wanted: (topic: string, partition: number) => boolean): void {
    for (const [k, e] of this.entries) if (!wanted(e.topic, e.partition)) this.entries.delete(k);
  }

  all(): OfflinePartition[] {
    return [...this.entries.values()];
  }

  /** The error requests for an offline partition get: retriable, so clients refresh metadata and retry. */
  error(topic: string, partition: number): TributaryError | null {
    const e = this.get(topic, partition);
    return e ? TributaryError.of('KAFKA_STORAGE_ERROR', `${topic}-${partition} is offline on broker ${this.brokerId}: ${e.reason}`) : null;
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
