import { io } from 'socket.io-client';
import { ManagedProcess } from './managed-process';
import { waitUntil } from './wait';

export interface BrokerProcessOptions {
  id: number;
  port: number;
  redisUrl: string;
  dataDir: string;
  clusterId: string;
  /** HOST for the broker; default: whatever the environment says (the broker's own default when unset) */
  host?: string;
  /** the built broker entry (dist/apps/broker/src/main.js) */
  main: string;
  /** shared by the brokers of one cluster; `env` may override it */
  interBrokerSecret: string;
  /** the environment the broker inherits before its own settings; default process.env */
  baseEnv?: NodeJS.ProcessEnv;
  /** extra broker settings, applied last */
  env?: Record<string, string>;
  /** the broker serves wss:// (TLS_CERT_PATH set in `env`): PEM text the readiness probe connects with */
  tls?: { ca: string; cert?: string; key?: string };
  /** node flags, e.g. --cpu-prof */
  nodeArgs?: string[];
  /** process name in errors; default "broker <id>" */
  name?: string;
  onLine?: (line: string) => void;
  onExit?: (how: string) => void;
}

/** A real broker process, which its owner may SIGKILL, SIGSTOP and restart. */
export class BrokerProcess {
  readonly process: ManagedProcess;

  constructor(readonly options: BrokerProcessOptions) {
    const o = options;
    this.process = new ManagedProcess({
      name: o.name ?? `broker ${o.id}`,
      command: process.execPath,
      args: [...(o.nodeArgs ?? []), o.main],
      env: {
        ...(o.baseEnv ?? process.env),
        BROKER_ID: String(o.id),
        PORT: String(o.port),
        ...(o.host === undefined ? {} : { HOST: o.host }),
        REDIS_URL: o.redisUrl,
        DATA_DIR: o.dataDir,
        CLUSTER_ID: o.clusterId,
        INTER_BROKER_SECRET: o.interBrokerSecret,
        ...o.env,
      },
      onLine: o.onLine,
      onExit: o.onExit,
    });
  }

  get id(): number {
    return this.options.id;
  }

  get url(): string {
    return `${this.options.tls ? 'wss' : 'ws'}://127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** the last 20,000 characters the broker wrote (stdout and stderr) */
  get output(): string {
    return this.process.output;
  }

  /** Spawns the broker without waiting for it. */
  spawn(): void {
    this.process.start();
  }

  /** Spawns the broker and waits until it answers a metadata request; fails at once if it exits. */
  async start(timeoutMs = 30_000): Promise<void> {
    this.spawn();
    await this.waitUntilReady(timeoutMs);
  }

  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    await waitUntil(`${this.process.name} to answer metadata`, () => this.answersMetadata(), timeoutMs, 200).catch((err: Error) => {
      throw new Error(`${err.message}\n--- ${this.process.name} output ---\n${this.output}`);
    });
  }

  /**
   * One metadata request over a fresh socket.io connection: true when it answers without an
   * error code, or with SASL_AUTHENTICATION_FAILED (58: a broker with AUTH on is up and asks
   * this unauthenticated probe to log in first).
   */
  answersMetadata(timeoutMs = 1000): Promise<boolean> {
    this.process.assertRunning();
    return new Promise((resolve) => {
      const s = io(this.url, { transports: ['websocket'], reconnection: false, timeout: timeoutMs, ...this.options.tls });
      const done = (ok: boolean): void => {
        s.close();
        resolve(ok);
      };
      s.on('connect_error', () => done(false));
      s.on('connect', () =>
        s
          .timeout(timeoutMs)
          .emit('metadata', {}, (err: unknown, res: { errorCode?: number } | undefined) => done(!err && (res?.errorCode === 0 || res?.errorCode === 58))),
      );
    });
  }

  /** SIGSTOP and SIGCONT freeze and thaw it; any other signal ends it and resolves once it is gone (SIGKILL after 10 s). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      this.process.signal(signal);
      return;
    }
    await this.process.terminate(signal);
  }

  /** SIGTERM: the broker deregisters and closes its log; SIGKILL if it lingers past `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    await this.process.terminate('SIGTERM', graceMs);
  }
}
