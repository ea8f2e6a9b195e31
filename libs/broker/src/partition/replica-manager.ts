import * as fs from 'fs';
import * as path from 'path';
import type { ClusterSnapshot, PartitionState } from '@tributary/coordination';
import { PartitionLog, PartitionMetadataFile, type LogConfig } from '@tributary/log';
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
  /** Kafka's producer.id.expiration.ms; the log's default when absent */
  producerIdExpirationMs?: number;
}

/**
 * Owns this broker's partition actors: creates one for every partition metadata assigns
 * here, hands each the latest state, and closes the ones no longer assigned. Request
 * handlers look actors up here and nowhere else.
 */
export class ReplicaManager {
  private readonly actors = new Map<string, PartitionActor>();
  /** the topic incarnation (KIP-516 id) each actor serves */
  private readonly actorTopicIds = new Map<string, string>();
  /** actors being closed, by key, with the incarnation they served: their directories are left alone until closed */
  private readonly closing = new Map<string, string>();
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

  /**
   * Brings the set of actors in line with a metadata snapshot. An actor whose topic was
   * deleted, or deleted and created again (a new topic id), is closed; a replica of the new
   * incarnation opens once the old one has closed, in a fresh directory.
   */
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
        if (this.closing.has(k)) continue;
        const actor = this.actors.get(k);
        if (actor && this.actorTopicIds.get(k) !== topic.id) continue; // not wanted: closed below, reopened after
        wanted.add(k);
        if (this.offline.has(state.topic, state.partition)) continue;
        if (actor) {
          actor.update(state, config);
          this.applyLogConfig(actor, config);
        } else this.open(k, state, config, topic.id);
      }
    }
    this.offline.retain((topic, partition) => wanted.has(key(topic, partition)) || this.closing.has(key(topic, partition)));
    for (const [k, actor] of this.actors) {
      if (!wanted.has(k)) this.retire(k, actor);
    }
  }

  /**
   * Removes partition directories no replica here serves whose topic no longer exists or has
   * another id now (a deleted incarnation: this broker may have been down when it was deleted),
   * or whose partition a reassignment moved to other brokers,
   * and returns the ids of the topics being deleted (snapshot.deletingTopics) of which this
   * broker holds nothing any more, for it to acknowledge to the deletion job. Synchronous, so no
   * actor can open a directory between the check and its removal.
   */
  removeStrayReplicas(snapshot: ClusterSnapshot): string[] {
    const kept = new Set<string>([...this.actorTopicIds.values(), ...this.closing.values()]);
    // A cluster with no topic at all is more likely a wrong CLUSTER_ID or an emptied Redis than
    // the deletion of every topic: keep the directories then, rather than wipe the broker.
    const emptyCluster = snapshot.topics.size === 0 && (snapshot.deletingTopics ?? []).length === 0;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.options.dataDir, { withFileTypes: true });
    } catch (err) {
      this.warn('data-dir-unreadable', { reason: (err as Error).message });
      return [];
    }
    for (const entry of entries) {
      const m = /^(.+)-(\d+)$/.exec(entry.name);
      if (!entry.isDirectory() || !m) continue;
      const k = key(m[1], Number(m[2]));
      // an offline replica's directory is kept for the operator, as its reason says
      if (this.actors.has(k) || this.closing.has(k) || this.offline.has(m[1], Number(m[2]))) continue;
      const dir = path.join(this.options.dataDir, entry.name);
      let id: string | null;
      try {
        id = PartitionMetadataFile.read(dir);
      } catch (err) {
        this.warn('partition-metadata-unreadable', { dir, reason: (err as Error).message });
        continue;
      }
      const topic = snapshot.topics.get(m[1]);
      const current = topic?.topic.id;
      // A reassignment moved this replica to other brokers (the partition exists and does not list
      // this one): its files go too, once its actor closed, or at the first metadata after a restart.
      const movedAway = topic?.partitions.find((p) => p.partition === Number(m[2]))?.replicas.includes(this.options.brokerId) === false;
      if (current !== undefined && (id === null || id === current) && !movedAway) continue;
      if (current === undefined && emptyCluster) continue;
      try {
        fs.rmSync(dir, { recursive: true, force: true });
        this.warn('stale-replica-removed', { dir, topicId: id, currentTopicId: current ?? null });
      } catch (err) {
        if (id !== null) kept.add(id);
        this.warn('stale-replica-remove-failed', { dir, reason: (err as Error).message });
      }
    }
    return (snapshot.deletingTopics ?? []).map((t) => t.id).filter((id) => !kept.has(id));
  }

  /** Closes an actor no longer wanted; its directory is left to removeStrayReplicas, and metadata is reloaded once it closed. */
  private retire(k: string, actor: PartitionActor): void {
    this.actors.delete(k);
    const topicId = this.actorTopicIds.get(k) ?? '';
    this.actorTopicIds.delete(k);
    this.closing.set(k, topicId);
    // Everything it appended is written already; a log that fails to close must not become an
    // unhandled rejection (which ends the process), but an operator should see it.
    void actor
      .close()
      .catch((err: unknown) =>
        this.warn('replica-close-failed', { topic: actor.topic, partition: actor.partition, reason: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        this.closing.delete(k);
        this.context.reloadMetadata();
      });
  }

  private warn(event: string, fields: Record<string, unknown>): void {
    this.logger.warn(event, { event, ...fields });
  }

  /** A topic config change (alterConfigs) reaches the open log at once: the next roll and retention sweep use it. */
  private applyLogConfig(actor: PartitionActor, config: TopicConfig): void {
    try {
      actor.log.updateConfig(logConfigOf(config, this.options.flushIntervalMs, this.options.producerIdExpirationMs));
    } catch (err) {
      // validated when stored; a value the log still refuses keeps the previous one, visibly
      this.warn('log-config-refused', { topic: actor.topic, partition: actor.partition, reason: err instanceof Error ? err.message : String(err) });
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
    this.actorTopicIds.delete(k);
    this.offline.add(actor.topic, actor.partition, reason);
    // Offline already (logged by offline.add); its log failed, so closing it may fail too.
    actor.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const actors = [...this.actors.values()];
    this.actors.clear();
    this.actorTopicIds.clear();
    await Promise.all(actors.map((a) => a.close()));
  }

  /**
   * A log that cannot be opened makes its partition offline, never the broker. The directory
   * is stamped with the topic id first; one stamped with another id is a deleted incarnation's
   * (same name) and is removed, so its records are never served as this topic's.
   */
  private open(k: string, state: PartitionState, config: TopicConfig, topicId: string): void {
    const dir = path.join(this.options.dataDir, `${state.topic}-${state.partition}`);
    let log: PartitionLog;
    try {
      const found = PartitionMetadataFile.read(dir);
      if (found !== null && found !== topicId) {
        fs.rmSync(dir, { recursive: true, force: true });
        this.warn('stale-replica-removed', { dir, topicId: found, currentTopicId: topicId });
      }
      if (found !== topicId) PartitionMetadataFile.write(dir, topicId);
      log = PartitionLog.open(dir, logConfigOf(config, this.options.flushIntervalMs, this.options.producerIdExpirationMs));
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
    this.actorTopicIds.set(k, topicId);
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

function logConfigOf(config: TopicConfig, flushIntervalMs: number, producerIdExpirationMs: number | undefined): Partial<LogConfig> {
  return {
    segmentBytes: config['segment.bytes'],
    segmentMs: config['segment.ms'],
    retentionMs: config['retention.ms'],
    retentionBytes: config['retention.bytes'],
    flushIntervalMs,
    producerIdExpirationMs,
  };
}
