import * as fs from 'fs';
import * as path from 'path';
import { connect, type NatsConnection } from 'nats';
import { findOnPath, freePort, ManagedProcess, waitUntil, type ProcessRegistry } from '@tributary/process-kit';

const START_TIMEOUT_MS = 30_000;

/** Where nats-server is, or undefined: the NATS rows are then skipped with a note. */
export function natsServerBinary(): string | undefined {
  return findOnPath('nats-server');
}

/**
 * nats-server processes the bench starts itself with JetStream on file storage, on free
 * loopback ports with their own store dirs, so the machine's shared NATS (4222) is never
 * touched. One server for R1, or a three-node cluster (routes on loopback) for R3.
 */
export class NatsServers {
  private constructor(
    readonly clientPorts: number[],
    private readonly processes: ManagedProcess[],
    private readonly registry: ProcessRegistry,
  ) {}

  static async startSingle(registry: ProcessRegistry, binary: string, dir: string): Promise<NatsServers> {
    const port = await freePort();
    const storeDir = path.join(dir, 'nats-r1');
    fs.mkdirSync(storeDir, { recursive: true });
    const proc = registry.add(
      new ManagedProcess({
        name: 'nats-server (R1)',
        command: binary,
        args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, '-n', 'bench-r1'],
      }),
    );
    proc.start();
    const servers = new NatsServers([port], [proc], registry);
    await servers.waitForJetStream();
    return servers;
  }

  static async startCluster(registry: ProcessRegistry, binary: string, dir: string, size = 3): Promise<NatsServers> {
    const clientPorts: number[] = [];
    const routePorts: number[] = [];
    for (let i = 0; i < size; i++) {
      clientPorts.push(await freePort());
      routePorts.push(await freePort());
    }
    const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
    const processes = clientPorts.map((port, i) => {
      const storeDir = path.join(dir, `nats-r3-${i + 1}`);
      fs.mkdirSync(storeDir, { recursive: true });
      const proc = registry.add(
        new ManagedProcess({
          name: `nats-server (R3 node ${i + 1})`,
          command: binary,
          args: [
            '-a',
            '127.0.0.1',
            '-p',
            String(port),
            '-js',
            '-sd',
            storeDir,
            '-n',
            `bench-n${i + 1}`,
            '--cluster_name',
            'tributary-bench',
            '--cluster',
            `nats://127.0.0.1:${routePorts[i]}`,
            '--routes',
            routes,
          ],
        }),
      );
      proc.start();
      return proc;
    });
    const servers = new NatsServers(clientPorts, processes, registry);
    await servers.waitForJetStream();
    return servers;
  }

  get urls(): string[] {
    return this.clientPorts.map((p) => `nats://127.0.0.1:${p}`);
  }

  connect(): Promise<NatsConnection> {
    return connect({ servers: this.urls, name: 'tributary-bench', maxReconnectAttempts: 10, reconnectTimeWait: 200 });
  }

  async stop(): Promise<void> {
    for (const p of this.processes) await this.registry.stop(p);
  }

  /** JetStream answers once the server (or, in a cluster, the meta leader) is ready to place streams. */
  private async waitForJetStream(): Promise<void> {
    await waitUntil(
      'nats-server JetStream to be ready',
      async () => {
        for (const p of this.processes) p.assertRunning();
        const nc = await connect({ servers: this.urls, timeout: 1000, reconnect: false });
        try {
          const jsm = await nc.jetstreamManager({ timeout: 2000 });
          await jsm.getAccountInfo();
          return true;
        } finally {
          await nc.close();
        }
      },
      START_TIMEOUT_MS,
      250,
    );
  }
}
