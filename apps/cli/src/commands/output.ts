import { Option, type Command } from 'commander';

export type OutputFormat = 'table' | 'json';

export interface OutputOptions {
  output: OutputFormat;
}

/** Adds `--output table|json` to a read command: json is one document (or one line per record) for scripts. */
export function withOutput(cmd: Command): Command {
  return cmd.addOption(new Option('-o, --output <format>', 'table for people, json for scripts').choices(['table', 'json']).default('table'));
}

/** Writes `value` as one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes `value` as one line of JSON (JSON Lines), for streams such as consume. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
