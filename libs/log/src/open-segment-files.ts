/** What the pool can ask of a segment holding an open .log descriptor. */
export interface FdHolder {
  /** true while an asynchronous call (a background fdatasync) uses the descriptor */
  readonly fdPinned: boolean;
  /** closes the descriptor; the holder reopens it on its next use */
  closeIdleFd(): void;
}

/** Room for a few thousand busy partitions, well inside the common 20,000 open-file limit. */
export const DEFAULT_MAX_OPEN_SEGMENT_FILES = 10_000;

/**
 * Bounds the segment .log files a process keeps open, least recently used first out. Every
 * partition's active segment used to hold its descriptor for life, so a broker with tens of
 * thousands of partitions ran out of files and refused connections. Closing a descriptor loses
 * nothing: the page cache keeps what was written, and an fsync through a later descriptor of
 * the same file still makes it durable. A descriptor in use by an asynchronous call is pinned
 * and skipped; the pool may then briefly exceed its bound rather than close it underneath.
 */
export class OpenSegmentFiles {
  private readonly open = new Map<FdHolder, true>();

  constructor(private capacity = DEFAULT_MAX_OPEN_SEGMENT_FILES) {}

  get size(): number {
    return this.open.size;
  }

  setCapacity(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`the open segment file bound must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.evict(null);
  }

  /** `holder` just opened its descriptor; others may be closed to make room. */
  opened(holder: FdHolder): void {
    this.open.set(holder, true);
    this.evict(holder);
  }

  /** `holder` used its descriptor: it becomes the most recently used. */
  touch(holder: FdHolder): void {
    if (this.open.delete(holder)) this.open.set(holder, true);
  }

  /** `holder` closed its descriptor itself. */
  closed(holder: FdHolder): void {
    this.open.delete(holder);
  }

  private evict(keep: FdHolder | null): void {
    if (this.open.size <= this.capacity) return;
    for (const holder of this.open.keys()) {
      if (this.open.size <= this.capacity) return;
      if (holder === keep || holder.fdPinned) continue;
      this.open.delete(holder);
      try {
        holder.closeIdleFd();
      } catch {
        // the holder already dropped the descriptor; a failed close cannot be retried anyway
      }
    }
  }
}

/** One pool per process: the open-file limit is per process, whatever the number of logs. */
export const openSegmentFiles = new OpenSegmentFiles();

/** Sets the process-wide bound on open segment .log files (the broker's LOG_MAX_OPEN_SEGMENT_FILES). */
export function setMaxOpenSegmentFiles(capacity: number): void {
  openSegmentFiles.setCapacity(capacity);
}
