import type { Keys } from '../keys';
import type { ScriptRunner } from './script-runner';

export interface ProducerIdAndEpoch {
  producerId: number;
  producerEpoch: number;
}

/** Allocates idempotent producer ids, cluster-unique, and bumps their epochs (initProducerId-1.lua). */
export class ProducerIdStore {
  readonly #keys: Keys;
  readonly #scripts: ScriptRunner;

  constructor(keys: Keys, scripts: ScriptRunner) {
    this.#keys = keys;
    this.#scripts = scripts;
  }

  /** A new id at epoch 0 (`current` absent), or `current` with the next epoch (a fresh id once the epoch is exhausted). */
  async initProducerId(current?: ProducerIdAndEpoch): Promise<ProducerIdAndEpoch> {
    const [producerId, producerEpoch] = (await this.#scripts.run(
      'initProducerId',
      [this.#keys.producerIds],
      [current?.producerId ?? -1, current?.producerEpoch ?? -1],
    )) as [number, number];
    return { producerId: Number(producerId), producerEpoch: Number(producerEpoch) };
  }
}
