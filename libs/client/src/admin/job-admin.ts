import {
  Events,
  TributaryError,
  type DescribeJobRequest,
  type DescribeJobResponse,
  type JobInfo,
  type ListJobsRequest,
  type ListJobsResponse,
} from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { JobFailedError } from '../errors';
import { retry } from '../retry/retrier';
import { sleep } from '../util/timers';

export interface WaitForJobOptions {
  /** called with the job each time it is read, so a caller can show progress */
  onProgress?: (job: JobInfo) => void;
  /** how often the job is read; default 250 ms */
  pollMs?: number;
  /** give up (throwing REQUEST_TIMED_OUT) after this long; default: wait as long as it runs */
  timeoutMs?: number;
}

/**
 * Admin jobs (topic deletion, reassignment...) live in the coordination Redis, so any broker
 * answers these reads; they go to the broker the cluster hands out, with the usual retries.
 */
export class JobAdmin {
  constructor(private readonly cluster: Cluster) {}

  /** newest first */
  async listJobs(options: { limit?: number } = {}): Promise<JobInfo[]> {
    const r = await this.ask<ListJobsRequest, ListJobsResponse>(Events.listJobs, options.limit === undefined ? {} : { limit: options.limit });
    return r.jobs;
  }

  /** throws TributaryError JOB_NOT_FOUND for an id the cluster does not hold */
  async describeJob(jobId: string): Promise<JobInfo> {
    const r = await this.ask<DescribeJobRequest, DescribeJobResponse>(Events.describeJob, { jobId });
    if (!r.job) throw new Error(`describeJob answered no job for ${jobId}`);
    return r.job;
  }

  /** Resolves with the completed job; throws JobFailedError when it failed for good. */
  async waitForJob(jobId: string, options: WaitForJobOptions = {}): Promise<JobInfo> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      const job = await this.describeJob(jobId);
      options.onProgress?.(job);
      if (job.state === 'completed') return job;
      if (job.state === 'failed') throw new JobFailedError(job);
      if (Date.now() > deadline) {
        throw TributaryError.of('REQUEST_TIMED_OUT', `job ${jobId} was still ${job.state} after ${options.timeoutMs} ms`);
      }
      await sleep(options.pollMs ?? 250);
    }
  }

  private ask<Req, Res extends { errorCode: number }>(event: (typeof Events)[keyof typeof Events], payload: Req): Promise<Res> {
    return retry(() => this.cluster.controllerConnection().request<Req, Res>(event, payload), this.cluster.retryOptions, {
      onRetry: () => this.cluster.refreshMetadata(),
    });
  }
}
