import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type Redis from 'ioredis';
import type { ActiveJob, JobProgress, JobQueue, JobRecord, JobState, JobWorker, JobWorkerOptions, SubmitJobOptions } from './job-types';

/** the queue's name under the cluster's prefix: its keys are `tributary:{cluster}:jobs:...` */
const QUEUE_NAME = 'jobs';
/** finished jobs kept for `jobs list` (BullMQ trims older ones) */
const KEEP_FINISHED = 1000;

/**
 * The admin job queue on BullMQ, in the coordination Redis. BullMQ opens its own connections
 * (a worker needs a blocking one, with no per-command retry limit); they get the coordination
 * connection's address and credentials, never its command timeout, which would cut a blocking
 * wait short. Nothing here hands a connection out.
 */
export class BullmqJobQueue implements JobQueue {
  readonly #connection: ConnectionOptions;
  readonly #prefix: string;
  #queue: Queue | null = null;
  readonly #workers = new Set<Worker>();

  constructor(redis: Redis, prefix: string) {
    const o = redis.options;
    this.#connection = {
      host: o.host,
      port: o.port,
      username: o.username,
      password: o.password,
      db: o.db,
      tls: o.tls,
      retryStrategy: (times: number) => Math.min(50 * times, 1000),
    };
    this.#prefix = prefix;
  }

  /** opened on first use: a broker that never touches jobs opens no connection for them */
  private get queue(): Queue {
    if (!this.#queue) {
      this.#queue = new Queue(QUEUE_NAME, { connection: this.#connection, prefix: this.#prefix });
      // Errors surface in the calls that hit them; an unlistened 'error' would end the process.
      this.#queue.on('error', () => undefined);
    }
    return this.#queue;
  }

  async submit(type: string, args: unknown, options: SubmitJobOptions): Promise<string> {
    if (options.jobId?.includes(':')) throw new Error(`a job id may not contain ':' (got ${options.jobId})`);
    const job = await this.queue.add(type, args, {
      jobId: options.jobId,
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: { count: KEEP_FINISHED },
      removeOnFail: { count: KEEP_FINISHED },
    });
    if (job.id === undefined) throw new Error(`BullMQ gave job ${type} no id`);
    // BullMQ keeps the existing job for a duplicate id; one that failed for good is run again
    // (from its last completed step: its progress is kept), with a fresh set of attempts.
    if (options.jobId !== undefined && (await job.getState()) === 'failed') {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    }
    return job.id;
  }

  async list(limit = 100): Promise<JobRecord[]> {
    const jobs = await this.queue.getJobs(
      ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'],
      0,
      Math.max(0, limit - 1),
      false,
    );
    const records = await Promise.all(jobs.filter((j): j is Job => j !== undefined).map((j) => toRecord(j)));
    return records.sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
  }

  async describe(id: string): Promise<JobRecord | null> {
    const job = await this.queue.getJob(id);
    return job ? toRecord(job) : null;
  }

  startWorker(run: (job: ActiveJob) => Promise<void>, options: JobWorkerOptions): JobWorker {
    const worker = new Worker(QUEUE_NAME, (job: Job) => run(toActiveJob(job)), {
      connection: this.#connection,
      prefix: this.#prefix,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount,
      concurrency: options.concurrency,
    });
    // A failed attempt is recorded on the job (describeJob shows it); connection errors are retried by ioredis.
    worker.on('error', () => undefined);
    this.#workers.add(worker);
    return {
      close: async () => {
        this.#workers.delete(worker);
        await worker.close(true);
      },
    };
  }

  async close(): Promise<void> {
    const workers = [...this.#workers];
    this.#workers.clear();
    await Promise.all(workers.map((w) => w.close(true).catch(() => undefined)));
    await this.#queue?.close().catch(() => undefined);
    this.#queue = null;
  }
}

function toActiveJob(job: Job): ActiveJob {
  let progress = parseProgress(job.progress);
  return {
    id: job.id ?? '',
    type: job.name,
    args: job.data as unknown,
    attemptsMade: job.attemptsMade,
    get progress() {
      return progress;
    },
    async updateProgress(p: JobProgress) {
      await job.updateProgress({ ...p });
      progress = p;
    },
  };
}

async function toRecord(job: Job): Promise<JobRecord> {
  const state = await job.getState().catch(() => 'unknown');
  return {
    id: job.id ?? '',
    type: job.name,
    args: job.data as unknown,
    state: KNOWN_STATES.has(state) ? (state as JobState) : 'unknown',
    progress: parseProgress(job.progress),
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    ...(job.failedReason ? { error: job.failedReason } : {}),
    createdAt: job.timestamp,
    ...(job.processedOn ? { startedAt: job.processedOn } : {}),
    ...(job.finishedOn ? { finishedAt: job.finishedOn } : {}),
  };
}

const KNOWN_STATES = new Set<string>(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed']);

/** BullMQ stores any JSON as progress; only our shape counts, anything else reads as none. */
function parseProgress(raw: unknown): JobProgress | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const p = raw as Partial<JobProgress>;
  if (typeof p.step !== 'string' || typeof p.done !== 'number' || typeof p.total !== 'number') return null;
  return { step: p.step, done: p.done, total: p.total, ...(typeof p.message === 'string' ? { message: p.message } : {}) };
}
