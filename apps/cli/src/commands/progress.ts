import { SingleBar, Presets } from 'cli-progress';

/** The part of a progress bar commands use; a no-op when nobody watches a terminal. */
export interface Progress {
  update(value: number): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar on stderr (cli-progress), shown only when stderr is a terminal: piped or
 * scripted runs get no control characters. A command that prints to stdout passes
 * `printsToStdout`, and gets no bar when stdout is that terminal too (records would tear it).
 */
export function progressBar(total: number, unit: string, printsToStdout = false): Progress {
  if (!process.stderr.isTTY || (printsToStdout && process.stdout.isTTY) || !(total > 0)) return NONE;
  const bar = new SingleBar(
    { stream: process.stderr, format: `{bar} {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  let running = true;
  return {
    update: (value) => running && bar.update(Math.min(value, total)),
    stop: () => {
      if (running) bar.stop();
      running = false;
    },
  };
}
