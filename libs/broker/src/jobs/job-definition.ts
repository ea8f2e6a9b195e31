/**
 * An admin job type: a name and an ordered list of steps. Every step must be idempotent: a
 * step that was running when its controller died runs again under the next one, so it first
 * checks what is already done (files already gone, keys already deleted) and does only the rest.
 */
export interface JobDefinition<A> {
  readonly type: string;
  /** checks and types the JSON arguments; throws a TributaryError on bad ones */
  parseArgs(raw: unknown): A;
  readonly steps: ReadonlyArray<JobStep<A>>;
}

export interface JobStep<A> {
  /** shown as the job's progress step, e.g. 'delete-files' */
  readonly name: string;
  run(args: A, context: StepContext): Promise<void>;
}

export interface StepContext {
  readonly jobId: string;
  /** 0 on the first attempt */
  readonly attempt: number;
  /** aborts when this broker stops running jobs (it lost the controller lease or is stopping); a step waiting on something should stop then */
  readonly signal: AbortSignal;
  /** updates the progress message of the running step (e.g. which brokers it still waits for) */
  report(message: string): Promise<void>;
}
