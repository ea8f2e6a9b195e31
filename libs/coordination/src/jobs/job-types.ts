/** How far a job is: which step runs (or ran last), how many of `total` are done, and a line for a human. */
export interface JobProgress {
  step: string;
  done: number;
  total: number;
  message?: string;
}

/** BullMQ's job states, plus 'unknown' for one it could not name (removed while being read). */
export type JobState = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'waiting-children' | 'completed' | 'failed' | 'unknown';

/** What anyone may read about an admin job (listJobs/describeJob). */
export interface JobRecord {
  id: string;
  /** the registered job type, e.g. 'deleteTopic' */
  type: string;
  /** the job's arguments as it was submitted with (JSON) */
  args: unknown;
  state: JobState;
  /** null until the first step reported */
  progress: JobProgress | null;
  /** attempts that ended so far: the failed ones, and the one that completed it */
  attemptsMade: number;
  maxAttempts: number;
  /** why the last attempt failed; absent when none did */
  error?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

/** The job a worker runs, as the runner in libs/broker sees it. */
export interface ActiveJob {
  readonly id: string;
  readonly type: string;
  readonly args: unknown;
  /** attempts that ended before this one (failed, or lost with a dead worker) */
  readonly attemptsMade: number;
  /** the last progress persisted, by this attempt or an earlier one (a dead controller's) */
  readonly progress: JobProgress | null;
  /** persists progress in Redis: a successor resumes after the last step reported done */
  updateProgress(progress: JobProgress): Promise<void>;
}

export interface SubmitJobOptions {
  /**
   * a deterministic id makes submitting twice one job (BullMQ ignores a duplicate id); a job of
   * that id that failed for good is retried instead, with fresh attempts. No ':' in it.
   */
  jobId?: string;
  attempts: number;
  /** first retry delay; doubles each attempt */
  backoffMs: number;
}

export interface JobWorkerOptions {
  /** how long a worker's lock on a job lasts without renewal; a dead worker's job is stalled after it */
  lockDurationMs: number;
  /** how often workers look for stalled jobs (whose lock lapsed) and take them back */
  stalledIntervalMs: number;
  /** times a job may stall (lose its worker) before it fails; high, since each stall is a dead controller */
  maxStalledCount: number;
  concurrency: number;
}

export interface JobWorker {
  /**
   * Stops at once, without waiting for running jobs: their locks are no longer renewed, so they
   * stall and the next worker (the next controller) resumes them, exactly as after a crash.
   */
  close(): Promise<void>;
}

/**
 * The admin job queue in the coordination Redis (BullMQ): any broker submits and reads jobs;
 * only the controller runs a worker.
 */
export interface JobQueue {
  submit(type: string, args: unknown, options: SubmitJobOptions): Promise<string>;
  /** newest first, at most `limit` */
  list(limit?: number): Promise<JobRecord[]>;
  describe(id: string): Promise<JobRecord | null>;
  startWorker(run: (job: ActiveJob) => Promise<void>, options: JobWorkerOptions): JobWorker;
}
