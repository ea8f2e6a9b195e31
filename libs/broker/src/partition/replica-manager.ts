import * as fs from 'fs';
import * as path from 'path';
import type { ClusterSnapshot, PartitionState } from '@tributary/coordination';
import { PartitionLog, type LogConfig } from '@tributary/log';
import { parseTopicConfig, type TopicConfig } from '@tributary/protocol';
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
  /** whether the first snapshot's sweep of directories of replicas moved away while this broker was down ran */
  private sweptMovedAway = false;
  /** replicas whose log failed: reported, never reopened until the broker restarts */
  readonly offline: OfflinePartitions;

  constructor(
    private readonly options: ReplicaManagerOptions,
    private readonly context: PartitionContext,
  ) {
    this.offline = new OfflinePartitions(options.brokerId);
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
    /** partitions that exist and have no replica here (a reassignment moved it away): their files go */
    const movedAway = new Set<string>();
    for (const { topic, partitions } of snapshot.topics.values()) {
      let config: TopicConfig;
      try {
        config = parseTopicConfig(topic.configs, this.options.topicDefaults);
      } catch {
        config = this.options.topicDefaults;
      }
      for (const state of partitions) {
        if (!state.replicas.includes(this.options.brokerId)) {
          movedAway.add(key(state.topic, state.partition));
          continue;
        }
        const k = key(state.topic, state.partition);
        wanted.add(k);
        if (this.offline.has(state.topic, state.partition)) continue;
        const actor = this.actors.get(k);
        if (actor) actor.update(state, config);
        else this.open(k, state, config);
      }
    }
    this.offline.retain((topic, partition) => wanted.has(key(topic, partition)));
    if (!this.sweptMovedAway) {
      this.sweptMovedAway = true;
      this.removeMovedAwayDirs(movedAway);
    }
    for (const [k, actor] of this.actors) {
      if (!wanted.has(k)) {
        this.actors.delete(k);
        // Everything it appended is written already; a log that fails to close must not become an
        // unhandled rejection (which ends the process), but an operator should see it.
        void actor
          .close()
          .then(() => {
            if (movedAway.has(k)) this.removeReplicaFiles(actor.topic, actor.partition);
          })
          .catch((err: unknown) =>
            console.error(
              JSON.stringify({
                level: 'warn',
                time: new Date().toISOString(),
                brokerId: this.options.brokerId,
                event: 'replica-close-failed',
                topic: actor.topic,
                partition: actor.partition,
                reason: err instanceof Error ? err.message : String(err),
              }),
            ),
          );
      }
    }
  }

  /**
   * Deletes the directory of a replica a reassignment moved off this broker, once its actor
   * closed (Kafka deletes the removed replica's log the same way). Logged, never thrown.
   */
  private removeReplicaFiles(topic: string, partition: number): void {
    if (this.actors.has(key(topic, partition))) return; // assigned back here meanwhile: the files are live again
    const dir = path.join(this.options.dataDir, `${topic}-${partition}`);
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(
      JSON.stringify({
        level: 'info',
        time: new Date().toISOString(),
        brokerId: this.options.brokerId,
        event: 'replica-removed',
        topic,
        partition,
        dir,
      }),
    );
  }

  /**
   * A broker that was down while a reassignment moved a replica off it still has that
   * replica's directory: at its first metadata it deletes every `<topic>-<partition>` directory
   * of a partition that exists and is assigned elsewhere.
   */
  private removeMovedAwayDirs(movedAway: ReadonlySet<string>): void {
    let entries: string[];
    try {
      entries = fs.readdirSync(this.options.dataDir);
    } catch {
      return;
    }
    for (const name of entries) {
      const dash = name.lastIndexOf('-');
      if (dash <= 0 || !/^\d+$/.test(name.slice(dash + 1))) continue;
      const topic = name.slice(0, dash);
      const partition = Number(name.slice(dash + 1));
      if (movedAway.has(key(topic, partition))) this.removeReplicaFiles(topic, partition);
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
    // Deferred: the failure is noticed inside a log call, possibly within the actor's own mailbox task.
    log.onFailure((err) => setImmediate(() => this.takeOffline(actor, err.message)));
  }
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
