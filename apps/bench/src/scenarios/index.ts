import type { ScenarioId } from '../options';
import { consumeScenario } from './consume';
import { failoverScenario } from './failover';
import { latencyScenario } from './latency';
import { produceScenario } from './produce-rf1';
import { produceRf3Scenario } from './produce-rf3';
import { producerTuningScenario } from './producer-tuning';
import { scaleScenario } from './scale';
import type { Scenario } from './types';

export const SCENARIOS: Record<ScenarioId, Scenario> = {
  produce: produceScenario,
  'produce-rf3': produceRf3Scenario,
  consume: consumeScenario,
  latency: latencyScenario,
  scale: scaleScenario,
  failover: failoverScenario,
  tune: producerTuningScenario,
};

export type { Scenario, ScenarioContext, SharedFindings } from './types';
