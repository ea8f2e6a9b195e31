import * as fs from 'fs';
import * as path from 'path';

/** What the lock file records about its holder. */
export interface LockHolder {
  pid: number;
  /** the holder's start time in clock ticks since boot (/proc/<pid>/stat field 22), or null where /proc is missing */
  startTime: number | null;
  brokerId: number;
  /** the holder's incarnation token, so a successor that finds the holder dead can prove it to the registry */
  token: string;
  /** the holder's broker epoch once registered, -1 before */
  brokerEpoch: number;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `DATA_DIR ${dataDir} is locked by broker ${holder.brokerId} (pid ${holder.pid}), which is still running; each broker needs a data directory of its own`,
    );
    this.name = 'DataDirLockedError';
  }
}

const LOCK_FILE = '.lock';

/**
 * An exclusive lock on a broker's data directory for the process's lifetime (Kafka's .lock).
 * The lock is a file created with O_EXCL holding the holder's pid and its start time from
 * /proc: a holder that was SIGKILLed leaves the file behind, but the next start sees that no
 * process with that pid and start time exists (pid reuse is told apart by the start time) and
 * takes the lock over. One host only: a data directory shared over the network is not covered.
 */
export class DataDirLock {
  private held: LockHolder | null = null;
  /** the dead holder's record when this lock was taken over from one */
  private previous: LockHolder | null = null;

  constructor(readonly dataDir: string) {}

  get file(): string {
    return path.join(this.dataDir, LOCK_FILE);
  }

  /** The previous holder's record, when it died holding the lock (its token and epoch are history now). */
  get staleHolder(): LockHolder | null {
    return this.previous;
  }

  /** Takes the lock, or throws DataDirLockedError naming the live holder. */
  acquire(brokerId: number, token: string): void {
    fs.mkdirSync(this.dataDir, { recursive: true });
    const mine: LockHolder = { pid: process.pid, startTime: processStartTime(process.pid), brokerId, token, brokerEpoch: -1 };
    for (let attempt = 0; attempt < 5; attempt++) {
      if (this.createWhole(mine)) {
        this.held = mine;
        return;
      }
      const raw = readOrNull(this.file);
      if (raw === null) continue; // released meanwhile: try again
      const holder = parseHolder(raw);
      if (holder && isAlive(holder)) throw new DataDirLockedError(this.dataDir, holder);
      // The holder is gone. Remove its file only if it is still the one just read, so two
      // starters racing for a stale lock do not delete each other's fresh one.
      if (readOrNull(this.file) === raw) {
        fs.rmSync(this.file, { force: true });
        if (holder) this.previous = holder;
      }
    }
    throw new Error(`could not lock DATA_DIR ${this.dataDir}: the lock file ${this.file} kept changing`);
  }

  /** Records the broker epoch once registered, so a successor can start its epochs above it. */
  recordEpoch(brokerEpoch: number): void {
    if (!this.held) return;
    this.held = { ...this.held, brokerEpoch };
    // Replaced by rename, so a reader sees the old record or the new one, never a torn file.
    const tmp = this.tempFile();
    fs.writeFileSync(tmp, JSON.stringify(this.held));
    fs.renameSync(tmp, this.file);
  }

  /**
   * Creates the lock file with its whole content at once: written to a temp file, then
   * hard-linked into place (link fails if the name exists). A file created with O_EXCL and
   * written after would be seen empty for a moment, and an empty lock names no live holder.
   */
  private createWhole(holder: LockHolder): boolean {
    const tmp = this.tempFile();
    fs.writeFileSync(tmp, JSON.stringify(holder));
    try {
      fs.linkSync(tmp, this.file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return false;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  private tempFile(): string {
    return path.join(this.dataDir, `${LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  }

  release(): void {
    const mine = this.held;
    this.held = null;
    if (!mine) return;
    const holder = parseHolder(readOrNull(this.file) ?? '');
    if (holder && holder.pid === mine.pid && holder.token === mine.token) fs.rmSync(this.file, { force: true });
  }
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // no lock file (or none readable): nobody holds the directory
    return null;
  }
}

/** A lock file that cannot be parsed (torn write at a crash) names no live holder. */
function parseHolder(raw: string): LockHolder | null {
  try {
    const v = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return null;
    return {
      pid: v.pid,
      startTime: typeof v.startTime === 'number' ? v.startTime : null,
      brokerId: typeof v.brokerId === 'number' ? v.brokerId : -1,
      token: typeof v.token === 'string' ? v.token : '',
      brokerEpoch: typeof v.brokerEpoch === 'number' ? v.brokerEpoch : -1,
    };
  } catch {
    // unparseable: a torn write at a crash, which names no live holder (see above)
    return null;
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.pid === process.pid) {
    // This very process (a second embedded broker on the same directory) is alive; a previous
    // process with our pid (a restarted container's pid 1) started at another time.
    return holder.startTime === null || holder.startTime === processStartTime(process.pid);
  }
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the pid exists but belongs to another user, so it is alive.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStartTime(holder.pid);
  // Same pid, other start time: the pid was reused by an unrelated process after a crash.
  if (holder.startTime !== null && now !== null && now !== holder.startTime) return false;
  return true;
}

/** Field 22 of /proc/<pid>/stat (starttime), or null where /proc is not available. */
export function processStartTime(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or ')': split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[19]);
    return Number.isFinite(v) ? v : null;
  } catch {
    // no /proc (or the process is gone): the start time is unknown, and callers allow for that
    return null;
  }
}
