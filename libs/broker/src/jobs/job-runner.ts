import type { ActiveJob, JobQueue, JobRecord, JobWorker } from '@tributary/coordination';
import { TributaryError } from '@tributary/protocol';
import type { JobDefinition, StepContext } from './job-definition';

export interface JobRunnerOptions {
  brokerId: number;
  /** attempts per job before it fails for good (a stall, i.e. a dead controller, is not one) */
  attempts: number;
  /** first retry delay; doubles each attempt */
  backoffMs: number;
  /** the worker's lock on a running job: a dead controller's job resumes elsewhere after about this plus half of it */
  lockDurationMs: number;
  /** testing: a pause after every step, so a test can kill the controller mid-job */
  stepDelayMs: number;
  /** structured log line; default one JSON line on stderr, like the broker's other events */
  log?: JobLog;
}

export type JobLog = (event: string, fields: Record<string, unknown>) => void;

/** A dead controller's job may stall any number of times: each stall is a resumption, not a failure. */
const MAX_STALLED_COUNT = 1000;

/**
 * Runs admin jobs (BullMQ, in the coordination Redis). Any broker submits and reads jobs; the
 * worker runs only while this broker is the controller (setActive). A job's steps run in order;
 * after each, its progress ({step, done, total}) is persisted, so a job picked up again (retry,
 * or stalled because its controller died: BullMQ's lock lapsed) resumes after the last step
 * reported done, and reruns at most the one that was running, which is idempotent.
 */
export class JobRunner {
  private readonly definitions = new Map<string, JobDefinition<unknown>>();
  private worker: JobWorker | null = null;
  private abort: AbortController | null = null;
  /** start/stop in the order asked, one at a time */
  private transition: Promise<void> = Promise.resolve();
  private readonly log: JobLog;

  constructor(
    private readonly queue: JobQueue,
    private readonly options: JobRunnerOptions,
  ) {
    this.log =
      options.log ??
      ((event, fields) => console.error(JSON.stringify({ level: 'info', time: new Date().toISOString(), brokerId: options.brokerId, event, ...fields })));
  }

  register<A>(definition: JobDefinition<A>): void {
    if (this.definitions.has(definition.type)) throw new Error(`job type ${definition.type} is registered twice`);
    this.definitions.set(definition.type, definition);
  }

  /**
   * Queues a job; `jobId` makes it idempotent (a second submit with the same id is the same job).
   * Arguments are checked here, before they reach the queue.
   */
  async submit(type: string, args: unknown, jobId?: string): Promise<string> {
    const definition = this.definitions.get(type);
    if (!definition) throw TributaryError.of('INVALID_REQUEST', `unknown job type '${type}'`);
    definition.parseArgs(args);
    return this.queue.submit(type, args, { jobId, attempts: this.options.attempts, backoffMs: this.options.backoffMs });
  }

  list(limit?: number): Promise<JobRecord[]> {
    return this.queue.list(limit);
  }

  describe(id: string): Promise<JobRecord | null> {
    return this.queue.describe(id);
  }

  get running(): boolean {
    return this.worker !== null;
  }

  /**
   * Starts the worker when this broker becomes the controller, stops it when it is no longer.
   * Stopping is a crash as far as running jobs go: the worker closes without waiting (their
   * locks lapse and the next controller resumes them), and running steps see their signal abort.
   */
  setActive(active: boolean): Promise<void> {
    this.transition = this.transition.then(() => (active ? this.startWorker() : this.stopWorker()));
    return this.transition;
  }

  private async startWorker(): Promise<void> {
    if (this.worker) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    const lock = this.options.lockDurationMs;
    this.worker = this.queue.startWorker((job) => this.run(job, signal), {
      lockDurationMs: lock,
      stalledIntervalMs: Math.max(100, Math.floor(lock / 2)),
      maxStalledCount: MAX_STALLED_COUNT,
      concurrency: 4,
    });
    this.log('job-worker-started', {});
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    await worker.close().catch((err: unknown) => this.log('job-worker-close-failed', { reason: err instanceof Error ? err.message : String(err) }));
    this.abort?.abort();
    this.abort = null;
    this.log('job-worker-stopped', {});
  }

  /** One attempt at a job: from the step after the last one reported done, to the end. */
  private async run(job: ActiveJob, signal: AbortSignal): Promise<void> {
    const definition = this.definitions.get(job.type);
    if (!definition) throw new Error(`unknown job type '${job.type}' (a broker of another version submitted it?)`);
    const args: unknown = definition.parseArgs(job.args);
    const steps = definition.steps;
    const total = steps.length;
    const resumed = job.progress && job.progress.total === total ? Math.min(job.progress.done, total) : 0;
    if (resumed > 0) this.log('job-resumed', { jobId: job.id, type: job.type, fromStep: steps[resumed]?.name ?? 'done' });
    for (let i = resumed; i < total; i++) {
      throwIfAborted(signal, job);
      const step = steps[i];
      const context: StepContext = {
        jobId: job.id,
        attempt: job.attemptsMade,
        signal,
        report: (message) => job.updateProgress({ step: step.name, done: i, total, message }),
      };
      await job.updateProgress({ step: step.name, done: i, total });
      await step.run(args, context);
      throwIfAborted(signal, job);
      await job.updateProgress({ step: step.name, done: i + 1, total });
      if (this.options.stepDelayMs > 0 && i + 1 < total) await sleep(this.options.stepDelayMs, signal);
    }
    this.log('job-completed', { jobId: job.id, type: job.type });
  }
}

function throwIfAborted(signal: AbortSignal, job: ActiveJob): void {
  if (signal.aborted) throw new Error(`job ${job.id}: this broker stopped running jobs; the next controller resumes it`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
