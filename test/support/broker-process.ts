import { randomBytes } from 'crypto';
import * as path from 'path';
import { BrokerProcess as KitBrokerProcess, type BrokerProcessOptions as KitBrokerProcessOptions } from '@tributary/process-kit';

const ROOT = path.resolve(__dirname, '..', '..');

/** The inter-broker secret test brokers share unless a test sets INTER_BROKER_SECRET in `env`. */
export const TEST_INTER_BROKER_SECRET = `test-secret-${randomBytes(24).toString('hex')}`;
export const BROKER_MAIN = path.join(ROOT, 'dist', 'apps', 'broker', 'src', 'main.js');

/** What a test says about its broker; host, entry point and secret are the test harness's. */
export type BrokerProcessOptions = Pick<KitBrokerProcessOptions, 'id' | 'port' | 'redisUrl' | 'dataDir' | 'clusterId' | 'env' | 'tls' | 'onExit'>;

/**
 * How long a test broker may take to answer its first metadata request. A hang-catcher only: a
 * broker answers in 1-3 s on an idle host, but with several suites and benches on two cores a
 * starting node process got under 1 s of CPU in 20 s (measured: three brokers still starting
 * after 30 s at load 24), and the kit's 30 s default failed whole files in their setup.
 */
const READY_TIMEOUT_MS = 90_000;

/** A real broker process (the built broker app), which tests may SIGKILL, SIGSTOP and restart. */
export class BrokerProcess extends KitBrokerProcess {
  constructor(options: BrokerProcessOptions) {
    super({ ...options, host: '127.0.0.1', main: BROKER_MAIN, interBrokerSecret: TEST_INTER_BROKER_SECRET });
  }

  override start(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    return super.start(timeoutMs);
  }

  override waitUntilReady(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    return super.waitUntilReady(timeoutMs);
  }
}
