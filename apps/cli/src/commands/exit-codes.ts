import { CommanderError, type Command } from 'commander';
import { TributaryError } from '@tributary/client';

/** The CLI's exit codes, for scripts (issue 14; issue 16 asks the same). */
export const ExitCode = {
  OK: 0,
  /** anything else that went wrong */
  ERROR: 1,
  /** bad command line: unknown command or option, missing or invalid argument */
  USAGE: 2,
  /** the topic, partition, group or job named does not exist */
  NOT_FOUND: 3,
  /** the cluster did not answer in time */
  TIMEOUT: 4,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  error
  2  usage error (unknown command or option, missing or invalid argument)
  3  not found (topic, partition, group or job)
  4  timeout (no broker answered in time)`;

/** What the CLI says when something it was asked about does not exist (exit code 3). */
export class NotFoundError extends Error {
  readonly exitCode = ExitCode.NOT_FOUND;
}

/** A wait the command line bounded ran out (consume --timeout before --max-messages arrived): exit code 4. */
export class TimedOutError extends Error {
  readonly exitCode = ExitCode.TIMEOUT;
}

const NOT_FOUND = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'GROUP_ID_NOT_FOUND', 'JOB_NOT_FOUND']);
const TIMEOUT = new Set(['REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION']);

/** The exit code for an error that ended a command. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  if (err instanceof NotFoundError) return ExitCode.NOT_FOUND;
  if (err instanceof TimedOutError) return ExitCode.TIMEOUT;
  // a retried request keeps the code of its last failure
  if (err instanceof TributaryError) {
    if (NOT_FOUND.has(err.type)) return ExitCode.NOT_FOUND;
    if (TIMEOUT.has(err.type)) return ExitCode.TIMEOUT;
  }
  return ExitCode.ERROR;
}

/**
 * Usage errors exit with 2 rather than commander's 1, and the exit codes appear in every
 * command's --help. Call before adding commands: subcommands inherit both settings.
 */
export function installExitCodes(program: Command): void {
  program.exitOverride();
  program.addHelpText('afterAll', EXIT_CODES_HELP);
}
