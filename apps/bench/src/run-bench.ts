import { BenchEnvironment } from './environment';
import { describeMachine } from './machine';
import { SCENARIO_IDS, sizeLabel, type BenchOptions } from './options';
import { PROFILED_WORKLOADS, profileBroker } from './profile/profile-run';
import { Progress } from './progress';
import { renderConsoleTable } from './report/console-table';
import { writeReports } from './report/write';
import { biggestCost } from './report/markdown';
import type { BenchReport, ProfileSummary, ResultRow } from './results';
import { SCENARIOS, type ScenarioContext } from './scenarios';
import { RECORDS_PER_SEND, SENDS_IN_FLIGHT, THROUGHPUT_PRODUCER } from './tributary/settings';

export interface BenchIo {
  /** where progress notes and the final table go */
  log: (line: string) => void;
  /** draw a progress bar (a TTY); otherwise one line per step */
  interactive: boolean;
}

export interface BenchOutcome {
  report: BenchReport;
  jsonFile: string;
  reportFile: string;
}

/**
 * Runs the selected scenarios against processes this run starts (Redis, brokers, NATS),
 * then writes JSON and Markdown. Whatever happens (a failure, Ctrl-C), every started
 * process is stopped before this returns or the process exits.
 */
export async function runBench(options: BenchOptions, io: BenchIo): Promise<BenchOutcome> {
  const startedAt = new Date().toISOString();
  const env = new BenchEnvironment({ useNats: !options.noNats });
  const scenarios = SCENARIO_IDS.filter((id) => options.scenarios.includes(id)).map((id) => SCENARIOS[id]);
  const natsAvailable = env.natsBinary !== undefined;
  const totalSteps = scenarios.reduce((n, s) => n + s.steps(options, natsAvailable), 0) + (options.profile ? PROFILED_WORKLOADS.length : 0);
  const progress = new Progress(totalSteps, io.log, io.interactive);

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    progress.stop();
    io.log(`\n${signal}: stopping every process the bench started...`);
    void env.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const onExit = (): void => env.registry.killAllNow();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);

  const rows: ResultRow[] = [];
  const notes: string[] = [];
  const profiles: ProfileSummary[] = [];
  try {
    await env.start();
    const ctx: ScenarioContext = {
      options,
      env,
      progress,
      shared: { peakProduceRate: new Map(), peakReplicatedRate: new Map() },
      note: (line) => progress.note(line),
    };
    if (!natsAvailable)
      notes.push(options.noNats ? 'NATS peers were skipped (--no-nats).' : 'nats-server is not on PATH, so the NATS JetStream rows were skipped.');
    for (const scenario of scenarios) {
      progress.note(`== ${scenario.title}`);
      try {
        rows.push(...(await scenario.run(ctx)));
      } catch (err) {
        const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
        progress.note(`  ${scenario.id} failed: ${message}`);
        rows.push({
          scenario: scenario.id,
          system: 'Tributary',
          variant: 'scenario setup',
          guarantee: '—',
          recordSize: null,
          status: 'failed',
          note: `failed: ${message}`,
        });
      } finally {
        // each NATS setup serves one scenario; idle servers should not share the CPU with the next
        await env.stopNats();
      }
    }
    if (options.profile) {
      const size = options.messageSizes[0];
      progress.note(`== profile: one broker under --cpu-prof, ${sizeLabel(size)} records`);
      for (const workload of PROFILED_WORKLOADS) {
        try {
          const summary = await profileBroker(env, progress, workload, size, options.records, options.outDir);
          if (summary) profiles.push(summary);
          else notes.push(`--profile: the ${workload.id} workload was skipped (replication not available in this build).`);
        } catch (err) {
          notes.push(`--profile (${workload.id}) failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await env.stop();
    process.off('exit', onExit);
  }
  if (natsAvailable)
    notes.push("NATS servers were started by the bench on free loopback ports with temporary store dirs (the machine's shared NATS was not used).");
  notes.push("Redis Streams ran on the bench's own redis-server (no AOF, no RDB snapshots) — the same one the brokers coordinate through.");
  notes.push(
    'Brokers ran with default settings (LOG_FLUSH_INTERVAL_MS 1000: acks mean the page cache, fsync follows within a second), each scenario on a fresh 3-broker cluster.',
  );
  notes.push(
    'Broker CPU (µs/record) is the user + system CPU of all three brokers over the measured run, per record: on a shared machine it moves far less than records/s. What each data-path change bought, measured A/B, is in docs/perf-log.md.',
  );

  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: options.command,
    machine: describeMachine(env.natsBinary),
    options: {
      scenarios: scenarios.map((s) => s.id),
      messageSizes: options.messageSizes,
      records: options.records,
      durationSeconds: options.durationSeconds,
      quick: options.quick,
      profile: options.profile,
    },
    producerSettings: { ...THROUGHPUT_PRODUCER, recordsPerSend: RECORDS_PER_SEND, sendsInFlight: SENDS_IN_FLIGHT },
    rows,
    profiles,
    notes,
  };
  const written = writeReports(report, options.outDir, options.reportFile);
  io.log('');
  io.log(renderConsoleTable(rows));
  for (const p of profiles) io.log(`\nprofile (${p.scenario}): ${biggestCost(p)}`);
  io.log(`\nwrote ${written.jsonFile}, ${written.latestFile} and ${written.reportFile}`);
  return { report, jsonFile: written.jsonFile, reportFile: written.reportFile };
}
