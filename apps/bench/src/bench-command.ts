import * as path from 'path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  DEFAULT_DURATION_SECONDS,
  DEFAULT_MESSAGE_SIZES,
  DEFAULT_RECORDS,
  DEFAULT_SCENARIOS,
  parseScenarioList,
  parseSizeList,
  QUICK_DURATION_SECONDS,
  QUICK_RECORDS,
  SCENARIO_IDS,
  type BenchOptions,
  type ScenarioId,
} from './options';
import { repoRoot } from './paths';
import { runBench } from './run-bench';

interface BenchFlags {
  scenarios?: ScenarioId[];
  messageSize?: number[];
  records?: number;
  duration?: number;
  quick?: boolean;
  profile?: boolean;
  out?: string;
  report?: string;
  nats: boolean;
}

function wrap<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  };
}

function positiveInt(name: string, max: number): (value: string) => number {
  return wrap((value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max) throw new Error(`${name} must be an integer from 1 to ${max}`);
    return n;
  });
}

/** How this run was started, for the report: `npm run bench -- …` or `tributary bench …`. */
function commandLine(): string {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('bench');
  const rest = (at >= 0 ? argv.slice(at + 1) : argv).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`));
  if (process.env.npm_lifecycle_event === 'bench') return ['npm run bench', ...(rest.length ? ['--', ...rest] : [])].join(' ');
  return ['tributary bench', ...rest].join(' ');
}

export function registerBenchCommand(program: Command): void {
  program
    // the default command: `node dist/apps/bench/src/main.js --quick` and `... main.js bench --quick` both work
    .command('bench', { isDefault: true })
    .description('benchmark Tributary against Redis Streams and NATS JetStream on this machine (starts its own Redis, brokers and NATS)')
    .option('--scenarios <list>', `comma list of ${SCENARIO_IDS.join(', ')} (or 1-6); default ${DEFAULT_SCENARIOS.join(',')}`, wrap(parseScenarioList))
    .option('--message-size <bytes>', `record size(s) in bytes, comma list; default ${DEFAULT_MESSAGE_SIZES.join(',')}`, wrap(parseSizeList))
    .option('--records <n>', `records per throughput run; default ${DEFAULT_RECORDS} (${QUICK_RECORDS} with --quick)`, positiveInt('--records', 50_000_000))
    .option(
      '--duration <seconds>',
      `seconds per fixed-rate latency run; default ${DEFAULT_DURATION_SECONDS} (${QUICK_DURATION_SECONDS} with --quick)`,
      positiveInt('--duration', 3600),
    )
    .option('--quick', 'a short smoke run (small counts, one latency rate, 50 partitions for scale), for CI')
    .option('--profile', "also profile one broker (node --cpu-prof) during scenario 1's and scenario 2's workloads and summarise where its CPU goes")
    .option('--out <dir>', 'directory for the JSON results (and a kept .cpuprofile); default bench-results/')
    .option('--report <file>', 'the Markdown report; default docs/benchmarks.md')
    .option('--no-nats', 'skip the NATS JetStream peers even when nats-server is on PATH')
    .action(async (flags: BenchFlags) => {
      const root = repoRoot();
      const quick = flags.quick === true;
      const options: BenchOptions = {
        scenarios: flags.scenarios ?? DEFAULT_SCENARIOS,
        messageSizes: flags.messageSize ?? DEFAULT_MESSAGE_SIZES,
        records: flags.records ?? (quick ? QUICK_RECORDS : DEFAULT_RECORDS),
        durationSeconds: flags.duration ?? (quick ? QUICK_DURATION_SECONDS : DEFAULT_DURATION_SECONDS),
        quick,
        profile: flags.profile === true,
        outDir: flags.out ? path.resolve(flags.out) : path.join(root, 'bench-results'),
        reportFile: flags.report ? path.resolve(flags.report) : path.join(root, 'docs', 'benchmarks.md'),
        noNats: !flags.nats,
        command: commandLine(),
      };
      const outcome = await runBench(options, {
        log: (line) => process.stdout.write(`${line}\n`),
        interactive: process.stdout.isTTY === true,
      });
      const failed = outcome.report.rows.filter((r) => r.status === 'failed');
      if (failed.length > 0) {
        process.stderr.write(`${failed.length} row(s) failed; see the report\n`);
        process.exitCode = 1;
      }
    });
}
