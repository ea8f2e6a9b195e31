import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';

/** The bench app built beside the CLI (dist/apps/bench); an installed `tributary` has no bench, whose peers' clients are dev dependencies. */
const BENCH_MAIN = path.resolve(__dirname, '..', '..', '..', 'bench', 'src', 'main.js');

/**
 * `tributary bench` runs the bench app as a child, so the CLI itself never loads the bench's
 * dependencies. Every flag goes through unparsed; the bench validates them.
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('benchmark Tributary against Redis Streams and NATS JetStream (runs apps/bench; see `tributary bench --help`)')
    .helpOption(false)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .argument('[flags...]')
    .action(async (flags: string[]) => {
      if (!fs.existsSync(BENCH_MAIN))
        throw new Error(`the bench is not built here (${BENCH_MAIN} is missing): run it from a source checkout with npm run bench`);
      const child = spawn(process.execPath, [BENCH_MAIN, 'bench', ...flags], { stdio: 'inherit' });
      // Ctrl-C reaches the whole process group; the bench stops what it started, so wait for it.
      const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
      process.on('SIGINT', () => undefined);
      process.on('SIGTERM', forward);
      const code = await new Promise<number>((resolve) => {
        child.once('error', () => resolve(1));
        child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
      });
      process.exitCode = code;
    });
}
