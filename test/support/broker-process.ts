import { randomBytes } from 'crypto';
import * as path from 'path';
import { BrokerProcess as KitBrokerProcess, type BrokerProcessOptions as KitBrokerProcessOptions } from '@tributary/process-kit';

const ROOT = path.resolve(__dirname, '..', '..');

/** The inter-broker secret test brokers share unless a test sets INTER_BROKER_SECRET in `env`. */
export const TEST_INTER_BROKER_SECRET = `test-secret-${randomBytes(24).toString('hex')}`;
export const BROKER_MAIN = path.join(ROOT, 'dist', 'apps', 'broker', 'src', 'main.js');

/** What a test says about its broker; host, entry point and secret are the test harness's. */
export type BrokerProcessOptions = Pick<KitBrokerProcessOptions, 'id' | 'port' | 'redisUrl' | 'dataDir' | 'clusterId' | 'env' | 'tls' | 'onExit'>;

/** A real broker process (the built broker app), which tests may SIGKILL, SIGSTOP and restart. */
export class BrokerProcess extends KitBrokerProcess {
  constructor(options: BrokerProcessOptions) {
    super({ ...options, host: '127.0.0.1', main: BROKER_MAIN, interBrokerSecret: TEST_INTER_BROKER_SECRET });
  }
}
