import { spawn, type ChildProcess } from 'child_process';
import { StopWaiting } from './wait';

export interface ManagedProcessOptions {
  /** shown in errors, e.g. "broker 2" */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** each complete line of stdout and stderr as it arrives, e.g. to prefix and forward it */
  onLine?: (line: string) => void;
  /** called once per exit, with the exit code or the signal */
  onExit?: (how: string) => void;
}

const OUTPUT_TAIL_CHARS = 20_000;

/**
 * One child process a tool started (the bench, the local cluster, a test). It keeps the tail
 * of the output so a process that dies early can say why, and it can always be stopped:
 * SIGTERM first, SIGKILL if it lingers, so nothing is left behind. It may be started again
 * after it exited (a restart keeps the output tail).
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
    const { onLine, onExit } = this.options;
    // Lines split across chunks are joined per stream, so onLine never sees half a line.
    const partial = { out: '', err: '' };
    const keep = (data: Buffer, stream: 'out' | 'err'): void => {
      const text = data.toString();
      this.outputTail = (this.outputTail + text).slice(-OUTPUT_TAIL_CHARS);
      if (!onLine) return;
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) if (line) onLine(line);
    };
    child.stdout?.on('data', (d: Buffer) => keep(d, 'out'));
    child.stderr?.on('data', (d: Buffer) => keep(d, 'err'));
    child.on('error', (err) => keep(Buffer.from(`\n[spawn error] ${err.message}\n`), 'err'));
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const finish = (how: string): void => {
        if (done) return;
        done = true;
        for (const stream of ['out', 'err'] as const) if (partial[stream] && onLine) onLine(partial[stream]);
        onExit?.(how);
        resolve();
      };
      child.once('exit', (code, signal) => finish(signal ?? `code ${String(code)}`));
      child.once('error', (err) => finish(`spawn error: ${err.message}`));
    });
  }

  /** Resolves once the current child is gone (at once when none runs). */
  whenExited(): Promise<void> {
    return this.exited;
  }

  /** Sends any signal to a running child, e.g. SIGSTOP and SIGCONT to freeze and thaw it. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child?.kill(signal);
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
    await this.terminate('SIGTERM', graceMs);
  }

  /**
   * Sends `signal` to end the process (SIGCONT first, since a stopped process handles
   * nothing) and SIGKILL after `graceMs`, so a stuck shutdown cannot hang the caller.
   */
  async terminate(signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    const child = this.child;
    const force = setTimeout(() => child?.kill('SIGKILL'), graceMs);
    child?.kill('SIGCONT');
    child?.kill(signal);
    await this.exited;
    clearTimeout(force);
  }

  /** Last resort on process exit, when nothing async may run any more. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }
}
