import { ErrorCode, TributaryError, type JobInfo } from '@tributary/protocol';

/**
 * Typed errors a user may want to catch by class, KafkaJS style. All extend the protocol's
 * TributaryError, so `code`, `type` and `retriable` are always there.
 */

/** The socket to a broker could not be opened or was lost (NETWORK_EXCEPTION, retriable). */
export class ConnectionError extends TributaryError {
  readonly broker: string;

  constructor(broker: string, message: string) {
    super(ErrorCode.NETWORK_EXCEPTION, message);
    this.name = 'ConnectionError';
    this.broker = broker;
  }
}

/** A broker did not answer in time (REQUEST_TIMED_OUT, retriable). */
export class RequestTimeoutError extends TributaryError {
  readonly broker: string;
  readonly event: string;

  constructor(broker: string, event: string, timeoutMs: number) {
    super(ErrorCode.REQUEST_TIMED_OUT, `${event} request to ${broker} timed out after ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
    this.broker = broker;
    this.event = event;
  }
}

/** A broker's answer about one topic (or one of its partitions). */
export class TopicError extends TributaryError {
  readonly topic: string;
  readonly partition: number | undefined;

  constructor(code: number, message: string | undefined, topic: string, partition?: number) {
    super(code, message ?? defaultTopicMessage(code, topic, partition));
    this.name = 'TopicError';
    this.topic = topic;
    this.partition = partition;
  }
}

/** Several topics failed in one admin call; `code` and `type` are the first failure's. */
export class AggregateTopicError extends TributaryError {
  readonly errors: readonly TopicError[];

  constructor(errors: readonly TopicError[]) {
    super(errors[0].code, errors.map((e) => `${e.topic}: ${e.message}`).join('; '));
    this.name = 'AggregateTopicError';
    this.errors = errors;
  }
}

/**
 * The client retried a retriable error as often as its retry policy allows and gave up.
 * `code` and `type` are the last error's, so callers can still tell why; `retriable` is false
 * because retrying is exactly what already failed (KafkaJS's NumberOfRetriesExceeded).
 */
export class RetriesExhaustedError extends TributaryError {
  readonly retryCount: number;
  override readonly cause: TributaryError;

  constructor(cause: TributaryError, retryCount: number) {
    super(cause.code, `${cause.message} (gave up after ${retryCount} retries)`);
    this.name = 'RetriesExhaustedError';
    this.retryCount = retryCount;
    this.cause = cause;
    Object.defineProperty(this, 'retriable', { value: false, enumerable: true });
  }
}

/** The SDK object is in the wrong state for the call (e.g. send after disconnect). Never retriable. */
export class ClientStateError extends TributaryError {
  constructor(message: string) {
    super(ErrorCode.INVALID_REQUEST, message);
    this.name = 'ClientStateError';
  }
}

/**
 * An SDK option or broker address is unusable (INVALID_CONFIG, not retriable). Thrown at
 * construction, naming the option, so a typo fails at once rather than as a connection error later.
 */
export class InvalidConfigError extends TributaryError {
  readonly option: string;

  constructor(option: string, message: string) {
    super(ErrorCode.INVALID_CONFIG, message);
    this.name = 'InvalidConfigError';
    this.option = option;
  }
}

/** Anything thrown, as a TributaryError: unexpected errors become UNKNOWN_SERVER_ERROR, not retriable. */
export function asTributaryError(err: unknown): TributaryError {
  if (err instanceof TributaryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TributaryError(ErrorCode.UNKNOWN_SERVER_ERROR, message);
}

function defaultTopicMessage(code: number, topic: string, partition?: number): string {
  const where = partition === undefined ? `topic '${topic}'` : `partition ${topic}/${partition}`;
  return `${where}: ${new TributaryError(code).message}`;
}

/** An admin job the client waited for failed for good; `job` is its last description (error, attempts, progress). */
export class JobFailedError extends TributaryError {
  readonly job: JobInfo;

  constructor(job: JobInfo) {
    super(ErrorCode.JOB_FAILED, `job ${job.id} (${job.type}) failed after ${job.attemptsMade} attempt(s): ${job.error ?? 'no reason given'}`);
    this.name = 'JobFailedError';
    this.job = job;
  }
}
