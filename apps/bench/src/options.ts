export const SCENARIO_IDS = ['produce', 'produce-rf3', 'consume', 'latency', 'scale', 'failover', 'tune'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** Issue 5 numbers its scenarios 1-6; both the numbers and the names select them. */
const BY_NUMBER: Record<string, ScenarioId> = {
  '1': 'produce',
  '2': 'produce-rf3',
  '3': 'consume',
  '4': 'latency',
  '5': 'scale',
  '6': 'failover',
};

/** 'tune' sweeps producer settings; it informs the chosen setting and is not part of the default run. */
export const DEFAULT_SCENARIOS: ScenarioId[] = ['produce', 'produce-rf3', 'consume', 'latency', 'scale', 'failover'];

export interface BenchOptions {
  scenarios: ScenarioId[];
  messageSizes: number[];
  /** records per throughput run (per system, per size) */
  records: number;
  /** seconds of each fixed-rate latency run */
  durationSeconds: number;
  quick: boolean;
  profile: boolean;
  /** directory for JSON results */
  outDir: string;
  /** the Markdown report */
  reportFile: string;
  /** skip the NATS peers even when nats-server is on PATH */
  noNats: boolean;
  /** the command line, as written into the report */
  command: string;
}

export const DEFAULT_RECORDS = 300_000;
export const QUICK_RECORDS = 3_000;
export const DEFAULT_DURATION_SECONDS = 5;
export const QUICK_DURATION_SECONDS = 1;
export const DEFAULT_MESSAGE_SIZES = [1024, 100];
/** no single throughput run may take longer than this, whatever --records says */
export const RUN_TIME_CAP_MS = 60_000;

export function parseScenarioList(value: string): ScenarioId[] {
  const out: ScenarioId[] = [];
  for (const raw of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const id = BY_NUMBER[raw] ?? (SCENARIO_IDS as readonly string[]).find((s) => s === raw);
    if (!id) throw new Error(`unknown scenario '${raw}': use ${SCENARIO_IDS.join(', ')} or 1-6`);
    if (!out.includes(id)) out.push(id);
  }
  if (out.length === 0) throw new Error('--scenarios needs at least one scenario');
  return out;
}

export function parseSizeList(value: string): number[] {
  const sizes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 16 || n > 512 * 1024)) {
    throw new Error('--message-size takes bytes from 16 to 524288, comma separated (e.g. 1024,100)');
  }
  return [...new Set(sizes)];
}

export function sizeLabel(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}
