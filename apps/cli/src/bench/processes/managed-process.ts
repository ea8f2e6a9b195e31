import { spawn, type ChildProcess } from 'child_process';
import { StopWaiting } from './wait';

export interface ManagedProcessOptions {
  /** shown in errors, e.g. "broker 2" */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const OUTPUT_TAIL_CHARS = 20_000;

/**
 * One child process the bench started. It keeps the tail of the output so a process that
 * dies early can say why, and it can always be stopped: SIGTERM first, SIGKILL if it
 * lingers, so the bench never leaves a process behind.
 */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private outputTail = '';
  /** Date.now() when spawned: lines a child's own clock (e.g. a CPU profile's start) up with the bench's */
  startedAt = 0;

  constructor(readonly options: ManagedProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    const c = this.child;
    return c !== null && c.exitCode === null && c.signalCode === null;
  }

  get output(): string {
    return this.outputTail;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const { command, args, env, cwd } = this.options;
    this.startedAt = Date.now();
    const child = spawn(command, args, { env: env ?? process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (data: Buffer): void => {
      this.outputTail = (this.outputTail + data.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (err) => keep(Buffer.from(`\n[spawn error] ${err.message}\n`)));
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
  }

  /** Throws, with the process's last output, when it has already exited. */
  assertRunning(): void {
    if (this.running) return;
    const how = this.child?.signalCode ?? `code ${String(this.child?.exitCode ?? 'unknown')}`;
    const last = this.outputTail.trim().split('\n').slice(-3).join(' / ').slice(-600);
    throw new StopWaiting(`${this.name} exited unexpectedly (${how}); last output: ${last || '(none)'}`);
  }

  /** SIGKILL right away, as a crash would; resolves once the process is gone. */
  async crash(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    const force = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    this.child?.kill('SIGTERM');
    await this.exited;
    clearTimeout(force);
  }

  /** Last resort on process exit, when nothing async may run any more. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }
}
