import * as path from 'path';
import type { ClusterSnapshot, PartitionState } from '@tributary/coordination';
import { PartitionLog, type LogConfig } from '@tributary/log';
import { parseTopicConfig, TributaryError, type TopicConfig } from '@tributary/protocol';
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

  constructor(
    private readonly options: ReplicaManagerOptions,
    private readonly context: PartitionContext,
  ) {}

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
      } catch {
        config = this.options.topicDefaults;
      }
      for (const state of partitions) {
        if (!state.replicas.includes(this.options.brokerId)) continue;
        const k = key(state.topic, state.partition);
        wanted.add(k);
        const actor = this.actors.get(k);
        if (actor) actor.update(state, config);
        else this.actors.set(k, this.open(state, config));
      }
    }
    for (const [k, actor] of this.actors) {
      if (!wanted.has(k)) {
        this.actors.delete(k);
        void actor.close();
      }
    }
  }

  applyRetention(now = Date.now()): number {
    let deleted = 0;
    for (const actor of this.actors.values()) deleted += actor.applyRetention(now);
    return deleted;
  }

  async closeAll(): Promise<void> {
    const actors = [...this.actors.values()];
    this.actors.clear();
    await Promise.all(actors.map((a) => a.close()));
  }

  private open(state: PartitionState, config: TopicConfig): PartitionActor {
    const dir = path.join(this.options.dataDir, `${state.topic}-${state.partition}`);
    try {
      const log = PartitionLog.open(dir, logConfigOf(config, this.options.flushIntervalMs));
      return new PartitionActor(state.topic, state.partition, this.context, log, state, config);
    } catch (err) {
      throw TributaryError.of('KAFKA_STORAGE_ERROR', `cannot open log ${dir}: ${(err as Error).message}`);
    }
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
