import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Tributary, type RetryOptions } from '@tributary/client';
import { BrokerProcess, freePort, residentKiB, waitUntil, type ManagedProcess, type ProcessRegistry } from '@tributary/process-kit';
import { brokerMain } from '../paths';
import { cpuSeconds } from './cpu-time';
import { BROKER_SETTING_NAMES } from '@tributary/broker';

export interface BrokerClusterOptions {
  brokers: number;
  redisUrl: string;
  /** each broker gets a data dir below this */
  dataDir: string;
  /** a fresh cluster id per scenario keeps scenarios apart in the one Redis */
  clusterId: string;
  /** extra broker environment, e.g. LOG_FLUSH_INTERVAL_MS */
  env?: Record<string, string>;
  /** node flags per broker id, e.g. --cpu-prof for the profiled one */
  nodeArgs?: (brokerId: number) => string[];
}

export interface BrokerHandle {
  id: number;
  url: string;
  process: ManagedProcess;
}

const START_TIMEOUT_MS = 60_000;

/**
 * Broker settings a shell may carry (README's table). They are dropped from what brokers
 * inherit, so a bench run always measures the defaults unless a scenario sets one itself.
 */
// The broker's own list of settings, so a new one can never leak in from the shell.
const BROKER_SETTINGS: ReadonlySet<string> = new Set(BROKER_SETTING_NAMES);

function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !BROKER_SETTINGS.has(k)));
}

/** Real broker processes (node dist/apps/broker/src/main.js), as users run them. */
export class BrokerCluster {
  private constructor(
    readonly brokers: BrokerHandle[],
    private readonly registry: ProcessRegistry,
  ) {}

  static async start(registry: ProcessRegistry, options: BrokerClusterOptions): Promise<BrokerCluster> {
    const main = brokerMain();
    const brokers: BrokerHandle[] = [];
    // One secret per bench cluster, so its brokers authenticate to each other as users' do.
    const interBrokerSecret = randomBytes(32).toString('base64url');
    for (let id = 1; id <= options.brokers; id++) {
      const port = await freePort();
      const dataDir = path.join(options.dataDir, `broker-${id}`);
      fs.mkdirSync(dataDir, { recursive: true });
      const broker = new BrokerProcess({
        id,
        port,
        host: '127.0.0.1',
        redisUrl: options.redisUrl,
        dataDir,
        clusterId: options.clusterId,
        main,
        interBrokerSecret,
        baseEnv: inheritedEnv(),
        env: options.env,
        nodeArgs: options.nodeArgs?.(id),
      });
      registry.add(broker.process);
      broker.spawn();
      brokers.push({ id, url: broker.url, process: broker.process });
    }
    const cluster = new BrokerCluster(brokers, registry);
    await cluster.waitForAllRegistered();
    return cluster;
  }

  get urls(): string[] {
    return this.brokers.map((b) => b.url);
  }

  client(options: { requestTimeoutMs?: number; retry?: RetryOptions } = {}): Tributary {
    return new Tributary({ brokers: this.urls, clientId: 'tributary-bench', ...options });
  }

  broker(id: number): BrokerHandle {
    const b = this.brokers.find((x) => x.id === id);
    if (!b) throw new Error(`no broker ${id} in this cluster`);
    return b;
  }

  /** Sum of the brokers' resident memory in KiB (live brokers only). */
  async residentKiB(): Promise<number> {
    let total = 0;
    for (const b of this.brokers) {
      const pid = b.process.pid;
      if (pid !== undefined && b.process.running) total += (await residentKiB(pid)) ?? 0;
    }
    return total;
  }

  /** Sum of the live brokers' CPU seconds (user + system); null where /proc cannot tell. */
  async cpuSeconds(): Promise<number | null> {
    let total = 0;
    for (const b of this.brokers) {
      const pid = b.process.pid;
      if (pid === undefined || !b.process.running) continue;
      const used = await cpuSeconds(pid);
      if (used === null) return null;
      total += used;
    }
    return total;
  }

  async stop(): Promise<void> {
    for (const b of this.brokers) await this.registry.stop(b.process);
  }

  /** Ready means every broker answers and the cluster sees all of them (and so a controller can place replicas). */
  private async waitForAllRegistered(): Promise<void> {
    const admin = this.client({ requestTimeoutMs: 2000, retry: { retries: 1, initialRetryTime: 100 } }).admin();
    try {
      await waitUntil(
        `${this.brokers.length} brokers to register`,
        async () => {
          for (const b of this.brokers) b.process.assertRunning();
          const d = await admin.describeCluster();
          return d.brokers.length === this.brokers.length && d.controller !== null;
        },
        START_TIMEOUT_MS,
        200,
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
