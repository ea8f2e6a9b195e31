import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as path from 'path';
import { io } from 'socket.io-client';
import { waitFor } from './free-port';

const ROOT = path.resolve(__dirname, '..', '..');

/** The inter-broker secret test brokers share unless a test sets INTER_BROKER_SECRET in `env`. */
export const TEST_INTER_BROKER_SECRET = `test-secret-${randomBytes(24).toString('hex')}`;
export const BROKER_MAIN = path.join(ROOT, 'dist', 'apps', 'broker', 'src', 'main.js');

export interface BrokerProcessOptions {
  id: number;
  port: number;
  redisUrl: string;
  dataDir: string;
  clusterId: string;
  env?: Record<string, string>;
}

/** A real broker process (the built apps/broker), which tests may SIGKILL, SIGSTOP and restart. */
export class BrokerProcess {
  private proc: ChildProcess | null = null;
  output = '';

  constructor(readonly options: BrokerProcessOptions) {}

  get id(): number {
    return this.options.id;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async start(): Promise<void> {
    const o = this.options;
    this.proc = spawn(process.execPath, [BROKER_MAIN], {
      env: {
        ...process.env,
        BROKER_ID: String(o.id),
        PORT: String(o.port),
        HOST: '127.0.0.1',
        REDIS_URL: o.redisUrl,
        DATA_DIR: o.dataDir,
        CLUSTER_ID: o.clusterId,
        INTER_BROKER_SECRET: TEST_INTER_BROKER_SECRET,
        ...o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    this.proc.stdout?.on('data', keep);
    this.proc.stderr?.on('data', keep);
    await waitFor(`broker ${o.id} to accept WebSocket connections`, () => this.answersMetadata(), 30_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}\n--- broker ${o.id} output ---\n${this.output}`);
    });
  }

  private answersMetadata(): Promise<boolean> {
    if (!this.running) throw new Error(`broker ${this.id} exited: ${this.output}`);
    return new Promise((resolve) => {
      const s = io(this.url, { transports: ['websocket'], reconnection: false, timeout: 1000 });
      const done = (ok: boolean) => {
        s.close();
        resolve(ok);
      };
      s.on('connect_error', () => done(false));
      s.on('connect', () => s.timeout(1000).emit('metadata', {}, (err: unknown, res: { errorCode?: number }) => done(!err && res?.errorCode === 0)));
    });
  }

  /** Sends a signal; for SIGKILL/SIGTERM waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    if (!p || !this.running) return;
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      p.kill(signal);
      return;
    }
    await new Promise<void>((resolve) => {
      // A stopped process cannot handle SIGTERM, and a stuck shutdown must not hang a test.
      const force = setTimeout(() => p.kill('SIGKILL'), 10_000);
      p.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      p.kill('SIGCONT');
      p.kill(signal);
    });
  }
}
