import * as path from 'path';
import type { ClusterSnapshot, PartitionState } from '@tributary/coordination';
import { PartitionLog, type LogConfig } from '@tributary/log';
import { parseTopicConfig, type TopicConfig } from '@tributary/protocol';
import { reasonOf, silentLogger, type BrokerLogger } from '../logging/broker-logger';
import { OfflinePartitions } from './offline-partitions';
import { PartitionActor } from './partition-actor';
import type { PartitionContext } from './partition-context';

export interface ReplicaManagerOptions {
  brokerId: number;
  dataDir: string;
  /** the broker's defaults for topics that do not override them */
  topicDefaults: TopicConfig;
  flushIntervalMs: number;
}

/**
 * Owns this broker's partition actors: creates one for every partition metadata assigns
 * here, hands each the latest state, and closes the ones no longer assigned. Request
 * handlers look actors up here and nowhere else.
 */
export class ReplicaManager {
  private readonly actors = new Map<string, PartitionActor>();
  /** replicas whose log failed: reported, never reopened until the broker restarts */
  readonly offline: OfflinePartitions;
  private readonly logger: BrokerLogger;
  /** topics whose stored config failed to parse, warned about once each */
  private readonly badConfigs = new Set<string>();

  constructor(
    private readonly options: ReplicaManagerOptions,
    private readonly context: PartitionContext,
  ) {
    this.logger = context.logger ?? silentLogger;
    this.offline = new OfflinePartitions(options.brokerId, this.logger);
  }

  /** The actor for topic-partition, or undefined when this broker holds no replica of it. */
  get(topic: string, partition: number): PartitionActor | undefined {
    return this.actors.get(key(topic, partition));
  }

  all(): PartitionActor[] {
    return [...this.actors.values()];
  }

  /** Brings the set of actors in line with a metadata snapshot. */
  reconcile(snapshot: ClusterSnapshot): void {
    const wanted = new Set<string>();
    for (const { topic, partitions } of snapshot.topics.values()) {
      let config: TopicConfig;
      try {
        config = parseTopicConfig(topic.configs, this.options.topicDefaults);
      } catch (err) {
        if (!this.badConfigs.has(topic.name)) {
          this.logger.warn('topic config unreadable, serving it with broker defaults', { event: 'config-error', topic: topic.name, reason: reasonOf(err) });
        }
        this.badConfigs.add(topic.name);
        config = this.options.topicDefaults;
      }
      for (const state of partitions) {
        if (!state.replicas.includes(this.options.brokerId)) continue;
        const k = key(state.topic, state.partition);
        wanted.add(k);
        if (this.offline.has(state.topic, state.partition)) continue;
        const actor = this.actors.get(k);
        if (actor) actor.update(state, config);
        else this.open(k, state, config);
      }
    }
    this.offline.retain((topic, partition) => wanted.has(key(topic, partition)));
    for (const [k, actor] of this.actors) {
      if (!wanted.has(k)) {
        this.actors.delete(k);
        // Everything it appended is written already; a log that fails to close must not become an
        // unhandled rejection (which ends the process), but an operator should see it.
        void actor
          .close()
          .catch((err: unknown) =>
            this.logger.warn('replica close failed', { event: 'replica-close-failed', topic: actor.topic, partition: actor.partition, reason: reasonOf(err) }),
          );
      }
    }
  }

  /** Retention over every replica; one that fails goes offline, the others still get theirs. */
  applyRetention(now = Date.now()): number {
    let deleted = 0;
    for (const actor of [...this.actors.values()]) {
      try {
        deleted += actor.applyRetention(now);
      } catch (err) {
        this.takeOffline(actor, `retention failed: ${(err as Error).message}`);
      }
    }
    return deleted;
  }

  /**
   * Contains a failed log to its partition: the actor leaves (its waiting produces fail, its
   * lease lapses so another in-sync replica can lead) and requests get KAFKA_STORAGE_ERROR.
   */
  takeOffline(actor: PartitionActor, reason: string): void {
    const k = key(actor.topic, actor.partition);
    if (this.actors.get(k) !== actor) return;
    this.actors.delete(k);
    this.offline.add(actor.topic, actor.partition, reason);
    // Offline already (logged by offline.add); its log failed, so closing it may fail too.
    actor.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const actors = [...this.actors.values()];
    this.actors.clear();
    await Promise.all(actors.map((a) => a.close()));
  }

  /** A log that cannot be opened makes its partition offline, never the broker. */
  private open(k: string, state: PartitionState, config: TopicConfig): void {
    const dir = path.join(this.options.dataDir, `${state.topic}-${state.partition}`);
    let log: PartitionLog;
    try {
      log = PartitionLog.open(dir, logConfigOf(config, this.options.flushIntervalMs));
    } catch (err) {
      this.offline.add(state.topic, state.partition, `cannot open log ${dir}: ${(err as Error).message}`);
      return;
    }
    let actor: PartitionActor;
    try {
      actor = new PartitionActor(state.topic, state.partition, this.context, log, state, config);
    } catch (err) {
      this.offline.add(state.topic, state.partition, `cannot start replica: ${(err as Error).message}`);
      try {
        log.close();
      } catch {
        // already offline; the reason above is what matters
      }
      return;
    }
    this.actors.set(k, actor);
    logLoaded(this.logger, state, log);
    // Deferred: the failure is noticed inside a log call, possibly within the actor's own mailbox task.
    log.onFailure((err) => setImmediate(() => this.takeOffline(actor, err.message)));
  }
}

/** One line per replica loaded at start or assignment; a cut tail (torn write at a crash) is a warning. */
function logLoaded(logger: BrokerLogger, state: PartitionState, log: PartitionLog): void {
  const fields = {
    topic: state.topic,
    partition: state.partition,
    logStartOffset: log.logStartOffset,
    logEndOffset: log.logEndOffset,
    latestEpoch: log.latestEpoch(),
    truncatedBytes: log.recovery.truncatedBytes,
  };
  if (log.recovery.truncatedBytes > 0) logger.warn('log recovered: torn tail truncated', { ...fields, event: 'log-recovery', problem: log.recovery.problem });
  // a log with records was recovered (a restart); a new, empty one is routine
  else logger[log.logEndOffset > 0 ? 'info' : 'debug']('log loaded', { ...fields, event: 'log-recovery' });
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function logConfigOf(config: TopicConfig, flushIntervalMs: number): Partial<LogConfig> {
  return {
    segmentBytes: config['segment.bytes'],
    segmentMs: config['segment.ms'],
    retentionMs: config['retention.ms'],
    retentionBytes: config['retention.bytes'],
    flushIntervalMs,
  };
}
