import { mbPerSec, rate, type ThroughputResult } from '../measure';
import { RUN_TIME_CAP_MS, sizeLabel } from '../options';
import type { ResultRow } from '../results';
import type { ScenarioContext } from './types';

/**
 * Runs one measured step under the progress bar. A step that throws becomes a 'failed' row
 * with the error, and the bench goes on: a report with one failure says more than none.
 */
export async function step(
  ctx: ScenarioContext,
  label: string,
  base: Omit<ResultRow, 'status'>,
  run: (progress: (fraction: number) => void) => Promise<Partial<ResultRow>>,
): Promise<ResultRow> {
  ctx.progress.begin(label);
  try {
    const measured = await run((f) => ctx.progress.update(f));
    return { ...base, status: 'ok', ...measured };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    ctx.note(`  ${label}: failed: ${message.split('\n')[0]}`);
    return { ...base, status: 'failed', note: `failed: ${message.split('\n')[0].slice(0, 300)}` };
  } finally {
    ctx.progress.end();
  }
}

/** The throughput fields of a row, with a note when the time cap cut the run short. */
export function throughputFields(result: ThroughputResult, size: number): Partial<ResultRow> {
  const fields: Partial<ResultRow> = {
    records: result.records,
    seconds: round(result.seconds, 3),
    recordsPerSec: Math.round(rate(result.records, result.seconds)),
    mbPerSec: round(mbPerSec(result.records, size, result.seconds), 1),
  };
  if (result.capped) fields.note = `stopped by the ${RUN_TIME_CAP_MS / 1000} s cap after ${result.records} records`;
  return fields;
}

export function skippedRow(base: Omit<ResultRow, 'status'>, note: string): ResultRow {
  return { ...base, status: 'skipped', note };
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function stepLabel(scenario: string, size: number | null, what: string): string {
  return size === null ? `${scenario}: ${what}` : `${scenario} ${sizeLabel(size)}: ${what}`;
}

/** Turns a records-done count into the bar's fraction of the current step. */
export function progressOf(total: number, report: (fraction: number) => void): (done: number) => void {
  return (done) => report(total > 0 ? done / total : 1);
}

/**
 * Runs `measure` and adds what it cost the brokers in CPU: microseconds (user + system, all
 * brokers) per record. Other load on a shared machine moves this far less than records/s.
 */
export async function withBrokerCpu(
  cluster: { cpuSeconds(): Promise<number | null> },
  measure: () => Promise<Partial<ResultRow>>,
): Promise<Partial<ResultRow>> {
  const before = await cluster.cpuSeconds();
  const fields = await measure();
  const after = await cluster.cpuSeconds();
  if (before === null || after === null || !fields.records) return fields;
  return { ...fields, metrics: { ...fields.metrics, brokerCpuUsPerRecord: round(((after - before) * 1e6) / fields.records, 2) } };
}

/**
 * One row from several measured runs of the same thing: records and seconds added up (so the
 * rate is over all of them), broker CPU per record weighted by records. A run that did not
 * succeed stands for the whole row.
 */
export function mergeThroughputRuns(base: Omit<ResultRow, 'status'>, runs: ResultRow[], size: number): ResultRow {
  const bad = runs.find((r) => r.status !== 'ok');
  if (bad || runs.length === 0) return bad ?? { ...base, status: 'failed', note: 'failed: no run' };
  const records = runs.reduce((n, r) => n + (r.records ?? 0), 0);
  const seconds = runs.reduce((n, r) => n + (r.seconds ?? 0), 0);
  const cpuRuns = runs.filter((r) => r.metrics?.brokerCpuUsPerRecord !== undefined);
  const cpuRecords = cpuRuns.reduce((n, r) => n + (r.records ?? 0), 0);
  const row: ResultRow = {
    ...base,
    status: 'ok',
    records,
    seconds: round(seconds, 3),
    recordsPerSec: Math.round(rate(records, seconds)),
    mbPerSec: round(mbPerSec(records, size, seconds), 1),
    note: runs.map((r) => r.note).find((n) => n !== undefined),
  };
  if (cpuRuns.length === runs.length && cpuRecords > 0) {
    const cpu = cpuRuns.reduce((n, r) => n + (r.metrics?.brokerCpuUsPerRecord ?? 0) * (r.records ?? 0), 0) / cpuRecords;
    row.metrics = { brokerCpuUsPerRecord: round(cpu, 2) };
  }
  return row;
}
