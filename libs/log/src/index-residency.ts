import type { LogSegment } from './segment';

/**
 * Bounds how many closed segments keep their indexes (and file handle) in memory. Readers
 * catching up move through old segments in order, so a handful of recently used ones covers
 * them, while a partition with thousands of segments does not hold thousands of indexes.
 */
export class IndexResidency {
  private readonly recent: LogSegment[] = [];

  constructor(private readonly capacity: number) {}

  /** Loads `segment`'s indexes if needed and releases the least recently used beyond capacity. */
  use(segment: LogSegment): void {
    segment.ensureIndexes();
    const at = this.recent.indexOf(segment);
    if (at >= 0) this.recent.splice(at, 1);
    this.recent.push(segment);
    while (this.recent.length > this.capacity) this.recent.shift()?.releaseIndexes();
  }

  /** The segment is going away or becoming active; it must not be released behind its back. */
  forget(segment: LogSegment): void {
    const at = this.recent.indexOf(segment);
    if (at >= 0) this.recent.splice(at, 1);
  }
}
