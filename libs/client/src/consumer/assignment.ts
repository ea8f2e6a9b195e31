import { tpKey } from '../util/topic-partition';
import type { TopicPartitionOffset, TopicPartitions } from './types';

export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** next offset to read; null: resolve with the reset policy first */
  position: number | null;
  paused: boolean;
  highWatermark: number;
  /** bumped by every seek/reassign, so data fetched from an older position is dropped */
  version: number;
  /** consecutive handler failures at the current position */
  handlerFailures: number;
}

/**
 * The partitions this consumer reads and where it is in each. Kept apart from the fetch loops
 * so a group-membership layer can drive it later (assign on rebalance, read positions to
 * commit) without knowing how fetching works.
 */
export class Assignment {
  private readonly states = new Map<string, PartitionState>();

  /** Replaces the assignment (Kafka's assign()); partitions kept keep their position unless an offset is given. */
  assign(partitions: readonly TopicPartitionOffset[]): void {
    const next = new Map<string, PartitionState>();
    for (const p of partitions) {
      const key = tpKey(p.topic, p.partition);
      const state = this.states.get(key) ?? next.get(key) ?? newState(p.topic, p.partition);
      if (p.offset !== undefined) this.moveTo(state, p.offset);
      next.set(key, state);
    }
    for (const [key, state] of this.states) if (!next.has(key)) state.version++;
    this.states.clear();
    for (const [key, state] of next) this.states.set(key, state);
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.states.get(tpKey(topic, partition));
  }

  /** Whether `state` is still the live state for its partition at the same version. */
  isCurrent(state: PartitionState, version: number): boolean {
    return this.states.get(tpKey(state.topic, state.partition)) === state && state.version === version;
  }

  seek(topic: string, partition: number, offset: number): boolean {
    const state = this.get(topic, partition);
    if (!state) return false;
    this.moveTo(state, offset);
    return true;
  }

  setPaused(specs: readonly TopicPartitions[], paused: boolean): void {
    for (const spec of specs) {
      for (const state of this.states.values()) {
        if (state.topic !== spec.topic) continue;
        if (spec.partitions && !spec.partitions.includes(state.partition)) continue;
        state.paused = paused;
      }
    }
  }

  all(): PartitionState[] {
    return [...this.states.values()];
  }

  fetchable(): PartitionState[] {
    return this.all().filter((s) => !s.paused);
  }

  topics(): string[] {
    return [...new Set(this.all().map((s) => s.topic))];
  }

  private moveTo(state: PartitionState, offset: number): void {
    state.position = offset;
    state.version++;
    state.handlerFailures = 0;
  }
}

function newState(topic: string, partition: number): PartitionState {
  return { topic, partition, position: null, paused: false, highWatermark: -1, version: 0, handlerFailures: 0 };
}
