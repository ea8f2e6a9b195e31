import type { ManagedProcess } from './managed-process';

/**
 * Every process and temp dir the bench started, so one call stops them all: at the end of
 * the run, on an error, and on Ctrl-C. Processes stop in reverse start order, so brokers
 * go before the Redis they coordinate through.
 */
export class ProcessRegistry {
  private readonly processes: ManagedProcess[] = [];
  private readonly cleanups: Array<() => void> = [];

  add<T extends ManagedProcess>(process: T): T {
    this.processes.push(process);
    return process;
  }

  /** Runs at stopAll, after the processes are gone (e.g. removing a temp dir they wrote to). */
  onCleanup(fn: () => void): void {
    this.cleanups.push(fn);
  }

  async stop(process: ManagedProcess): Promise<void> {
    await process.stop();
    const i = this.processes.indexOf(process);
    if (i >= 0) this.processes.splice(i, 1);
  }

  async stopAll(): Promise<void> {
    const all = this.processes.splice(0).reverse();
    for (const p of all) await p.stop();
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        fn();
      } catch {
        // a leftover temp dir is not worth failing the run over
      }
    }
  }

  /** Synchronous SIGKILL of whatever still runs: for process.on('exit'), where awaiting is impossible. */
  killAllNow(): void {
    for (const p of this.processes) p.killNow();
  }
}
