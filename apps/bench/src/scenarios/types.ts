import type { BenchEnvironment } from '../environment';
import type { BenchOptions, ScenarioId } from '../options';
import type { Progress } from '../progress';
import type { ResultRow } from '../results';

/** What scenarios learn that later ones use, e.g. the peak produce rate to pick latency rates. */
export interface SharedFindings {
  /** best measured Tributary produce rate (records/s) per record size: RF=1 acks=1 (scenario 1) */
  peakProduceRate: Map<number, number>;
  /** the same for RF=3 acks=all (scenario 2) */
  peakReplicatedRate: Map<number, number>;
}

export interface ScenarioContext {
  options: BenchOptions;
  env: BenchEnvironment;
  progress: Progress;
  shared: SharedFindings;
  /** a line for the console that the progress bar will not overwrite */
  note(line: string): void;
}

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** progress steps it will report (calls to ctx step), so the bar knows its length */
  steps(options: BenchOptions, natsAvailable: boolean): number;
  run(ctx: ScenarioContext): Promise<ResultRow[]>;
}
