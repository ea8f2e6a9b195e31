import * as path from 'path';
import { CheckpointFile } from './checkpoint-file';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export const EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';

/**
 * KIP-101's leader-epoch cache: for each leader epoch, the first offset written in it. A
 * follower that asks "where did my last epoch end on the leader?" truncates to that answer
 * instead of to its high watermark, which is what keeps replicas from diverging after
 * leader changes. Persisted on every change, which is rare (once per leader election).
 */
export class LeaderEpochCache {
  private entries: EpochEntry[];
  private readonly file: CheckpointFile;

  private constructor(dir: string, entries: EpochEntry[]) {
    this.file = new CheckpointFile(path.join(dir, EPOCH_CHECKPOINT_FILE));
    this.entries = entries;
  }

  static load(dir: string): LeaderEpochCache {
    const file = new CheckpointFile(path.join(dir, EPOCH_CHECKPOINT_FILE));
    const rows = file.read(2) ?? [];
    return new LeaderEpochCache(
      dir,
      rows.map(([epoch, startOffset]) => ({ epoch, startOffset })),
    );
  }

  all(): EpochEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  latestEpoch(): number {
    return this.entries.length === 0 ? -1 : this.entries[this.entries.length - 1].epoch;
  }

  /**
   * Records that `epoch` starts at `startOffset`. As in Kafka, an entry that would break the
   * order (same or later epoch, or same or later start offset) is removed first: it describes
   * a history this log no longer has.
   */
  assign(epoch: number, startOffset: number): void {
    const latest = this.entries[this.entries.length - 1];
    if (epoch < 0 || (latest !== undefined && latest.epoch === epoch && latest.startOffset <= startOffset)) return;
    this.entries = this.entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    this.persist();
  }

  /** Forgets epochs that started at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.persist();
  }

  /**
   * Forgets epochs wholly before `startOffset` (retention removed their data); the epoch in
   * force at `startOffset` stays, moved to start there.
   */
  truncateFromStart(startOffset: number): void {
    let firstKept = 0;
    while (firstKept < this.entries.length && this.entries[firstKept].startOffset <= startOffset) firstKept++;
    if (firstKept === 0) return;
    const inForce = this.entries[firstKept - 1];
    if (firstKept === 1 && inForce.startOffset === startOffset) return;
    this.entries = [{ epoch: inForce.epoch, startOffset }, ...this.entries.slice(firstKept)];
    this.persist();
  }

  clear(): void {
    if (this.entries.length === 0) return;
    this.entries = [];
    this.persist();
  }

  /**
   * Kafka's OffsetsForLeaderEpoch answer: the start of the first epoch after `epoch` (or the log
   * end when `epoch` is the latest), paired with the largest epoch <= `epoch`. An epoch below
   * every known one keeps the requested epoch; one above them all, or an empty cache, gets
   * (-1, -1), Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET.
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    if (epoch < 0 || this.entries.length === 0) return { epoch: -1, endOffset: -1 };
    if (epoch === this.latestEpoch()) return { epoch, endOffset: logEndOffset };
    const higher = this.entries.findIndex((e) => e.epoch > epoch);
    if (higher < 0) return { epoch: -1, endOffset: -1 };
    const floor = higher === 0 ? null : this.entries[higher - 1];
    return { epoch: floor === null ? epoch : floor.epoch, endOffset: this.entries[higher].startOffset };
  }

  private persist(): void {
    this.file.write(this.entries.map((e) => [e.epoch, e.startOffset]));
  }
}
