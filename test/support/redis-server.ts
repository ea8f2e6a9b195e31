import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { redisAnswers } from '../../apps/cli/src/local-cluster/redis-probe';
import { freePort, waitFor } from './free-port';

/** A private redis-server on a free loopback port in a temp dir, for tests that need isolation or kill Redis. */
export class RedisServer {
  private proc: ChildProcess | null = null;
  readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly appendOnly: boolean,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-redis-'));
  }

  static async start(options: { appendOnly?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options.appendOnly ?? false);
    await server.startProcess();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async startProcess(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', this.appendOnly ? 'yes' : 'no'];
    this.proc = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor('redis-server to answer PING', () => redisAnswers(this.url));
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
