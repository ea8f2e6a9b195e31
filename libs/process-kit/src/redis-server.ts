import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { redisAnswers } from './redis-probe';
import type { ProcessRegistry } from './registry';
import { waitUntil } from './wait';

export interface RedisServerOptions {
  /** default: a free loopback port */
  port?: number;
  /** where Redis keeps its files; default: a fresh temp dir that destroy() removes */
  dir?: string;
  /** AOF on (fsync every second, Redis's default policy); default off */
  appendOnly?: boolean;
  /** process name in errors; default "redis-server" */
  name?: string;
  /** each output line, e.g. to forward it */
  onLine?: (line: string) => void;
  /** how long to wait for PING after each start; default 20 s */
  startTimeoutMs?: number;
  /** more redis-server arguments, e.g. ['--tls-port', '6380', ...] or an ACL ['--user', 'app on >pw ~* &* +@all'] */
  extraArgs?: string[];
  /** registers the process before it spawns, so the owner's stopAll/killAllNow covers a start in progress */
  registry?: ProcessRegistry;
}

/**
 * A redis-server child on loopback. Snapshots are always off: tests, the bench and a local
 * cluster either want no persistence or AOF, never a fork that stalls the server.
 */
export class RedisServer {
  readonly process: ManagedProcess;
  private readonly ownsDir: boolean;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {
    this.ownsDir = options.dir === undefined;
    this.process = new ManagedProcess({
      name: options.name ?? 'redis-server',
      command: 'redis-server',
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        options.appendOnly ? 'yes' : 'no',
        '--protected-mode',
        'yes',
        ...(options.extraArgs ?? []),
      ],
      onLine: options.onLine,
    });
    options.registry?.add(this.process);
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const port = options.port ?? (await freePort());
    let dir: string;
    if (options.dir === undefined) dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-redis-'));
    else {
      dir = path.resolve(options.dir);
      fs.mkdirSync(dir, { recursive: true });
    }
    const server = new RedisServer(port, dir, options);
    try {
      await server.startProcess();
    } catch (err) {
      await server.destroy();
      throw err;
    }
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  private async startProcess(): Promise<void> {
    this.process.start();
    await waitUntil(
      `${this.process.name} on port ${this.port} to answer PING`,
      () => {
        this.process.assertRunning();
        return redisAnswers(this.url);
      },
      this.options.startTimeoutMs ?? 20_000,
    );
  }

  /** SIGTERM (Redis flushes its AOF), SIGKILL if it lingers. */
  async stop(): Promise<void> {
    await this.process.stop();
  }

  /** SIGKILL, as a crash would. */
  async crash(): Promise<void> {
    await this.process.crash();
  }

  /** Stops it and starts it again on the same port and dir (an AOF brings the data back). */
  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  /** Stops it and removes its dir when it was a temp dir this server made. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.ownsDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
