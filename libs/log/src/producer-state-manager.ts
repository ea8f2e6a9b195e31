import { ProducerStateMap, type BatchHeader } from '@tributary/protocol';
import { deleteSnapshot, listSnapshots, readSnapshot, writeSnapshot } from './producer-snapshot';

/** Visits the headers of the batches in [from, to) of the log, in offset order. */
export type ReplayLog = (from: number, to: number, visit: (h: BatchHeader) => void) => void;

/**
 * The producer state of one log and its snapshot files (Kafka's ProducerStateManager): loaded
 * on open from the newest intact snapshot and the log after it, snapshotted on segment roll
 * and clean close, rebuilt the same way after a truncation, trimmed by retention and expired
 * by producer id expiration.
 */
export class ProducerStateManager {
  readonly state = new ProducerStateMap();

  constructor(
    private readonly dir: string,
    private readonly expirationMs: number,
  ) {}

  /**
   * The state of the log [logStart, logEnd): the newest intact snapshot at or below logEnd,
   * then the batches after it. Snapshots past the log end (the log was truncated or lost its
   * tail) are deleted; a corrupt one is deleted and an older one used.
   */
  rebuild(logStart: number, logEnd: number, replay: ReplayLog, now: number): void {
    this.state.clear();
    let from = logStart;
    for (const offset of listSnapshots(this.dir).reverse()) {
      if (offset > logEnd) {
        deleteSnapshot(this.dir, offset);
        continue;
      }
      const entries = readSnapshot(this.dir, offset);
      if (entries === null) {
        deleteSnapshot(this.dir, offset);
        continue;
      }
      this.state.load(entries);
      from = Math.max(offset, logStart);
      break;
    }
    if (from < logEnd) replay(from, logEnd, (h) => this.state.update(h, now));
    this.state.dropBelow(logStart);
    this.state.expire(now, this.expirationMs);
  }

  /** Writes the current state as the snapshot at `offset` (the log end it describes). */
  snapshot(offset: number): void {
    writeSnapshot(this.dir, offset, this.state.entries());
  }

  /** The log start moved forward: producers wholly below it go, and so do the snapshots below it. */
  onLogStartMoved(logStart: number): void {
    this.state.dropBelow(logStart);
    for (const offset of listSnapshots(this.dir)) if (offset < logStart) deleteSnapshot(this.dir, offset);
  }

  /** Producer id expiration; returns how many producers were forgotten. */
  expire(now: number): number {
    return this.state.expire(now, this.expirationMs);
  }

  /** The log was emptied (restarted at a new offset): no producer state and no snapshot survives. */
  reset(): void {
    this.state.clear();
    for (const offset of listSnapshots(this.dir)) deleteSnapshot(this.dir, offset);
  }
}
