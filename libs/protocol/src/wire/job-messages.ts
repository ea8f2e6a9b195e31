import type { ResponseBase } from './messages';

/** How far an admin job is: the step running (or last run), steps done of total, a line for a human. */
export interface JobProgressInfo {
  step: string;
  done: number;
  total: number;
  message?: string;
}

/** waiting, active, delayed (a retry's backoff), prioritized, waiting-children, completed, failed, unknown */
export type JobStateName = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'waiting-children' | 'completed' | 'failed' | 'unknown';

/** An admin job (topic deletion, reassignment...) as listJobs/describeJob show it. */
export interface JobInfo {
  id: string;
  type: string;
  /** the job's arguments, as submitted */
  args: unknown;
  state: JobStateName;
  /** null until its first step started */
  progress: JobProgressInfo | null;
  /** attempts that ended: the failed ones, and the one that completed it */
  attemptsMade: number;
  maxAttempts: number;
  /** why the last failed attempt failed */
  error?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

// ---- listJobs: any broker answers, from the job queue in the coordination Redis ----
export interface ListJobsRequest {
  /** newest first, at most this many (default 100) */
  limit?: number;
}

export interface ListJobsResponse extends ResponseBase {
  jobs: JobInfo[];
}

// ---- describeJob: JOB_NOT_FOUND for an id the queue does not hold (never was, or trimmed) ----
export interface DescribeJobRequest {
  jobId: string;
}

export interface DescribeJobResponse extends ResponseBase {
  job: JobInfo | null;
}
