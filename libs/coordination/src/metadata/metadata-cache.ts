import type { MetadataSource } from '../store/store-interfaces';
import type { ChangeFeed } from '../store/change-feed';
import type { ClusterSnapshot, PartitionState, TopicSnapshot } from '../types';
import { reasonOf, silentLogger, type StructuredLogger } from '../logging/structured-logger';

export type SnapshotListener = (snapshot: ClusterSnapshot) => void;

export interface MetadataCacheOptions {
  /** safety-net reload period: pub/sub is at-most-once */
  refreshIntervalMs: number;
  /** where a failed background reload is reported (the next change or tick retries it) */
  logger?: StructuredLogger;
}

/**
 * The broker's view of cluster metadata: a snapshot reloaded from Redis whenever the change
 * feed says something moved (reloads that pile up are coalesced into one), and on a timer.
 * Readers get the last snapshot synchronously, so request handling never waits on Redis.
 */
export class MetadataCache {
  private current: ClusterSnapshot = { clusterId: '', controllerId: -1, brokers: [], brokerEpochs: new Map(), topics: new Map() };
  private readonly listeners = new Set<SnapshotListener>();
  private reloading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly store: MetadataSource,
    private readonly feed: ChangeFeed,
    private readonly options: MetadataCacheOptions,
  ) {}

  async start(): Promise<void> {
    // users and ACLs are not metadata: their changes leave the snapshot alone
    this.unsubscribe = this.feed.onChange((c) => {
      if (c.kind !== 'security') void this.reload().catch((err: unknown) => this.reloadFailed(err, 'change'));
    });
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch((err: unknown) => this.reloadFailed(err, 'timer')), this.options.refreshIntervalMs);
    this.timer.unref();
  }

  /** Debug only: while Redis is unreachable every tick fails, and RedisHealth reports that state. */
  private reloadFailed(err: unknown, trigger: string): void {
    (this.options.logger ?? silentLogger).debug('metadata reload failed', { trigger, reason: reasonOf(err) });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.listeners.clear();
  }

  get snapshot(): ClusterSnapshot {
    return this.current;
  }

  topic(name: string): TopicSnapshot | undefined {
    return this.current.topics.get(name);
  }

  partition(topic: string, partition: number): PartitionState | undefined {
    return this.current.topics.get(topic)?.partitions[partition];
  }

  onUpdate(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reloads now; concurrent callers share one reload, and a call during a reload queues one more. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          this.current = await this.store.snapshot();
          for (const l of this.listeners) l(this.current);
        } while (this.again);
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }
}
