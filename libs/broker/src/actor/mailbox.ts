/**
 * An actor's mailbox: tasks run one at a time in arrival order, so an actor's state needs no
 * locks even though its tasks await I/O. A failing task rejects its own caller only.
 */
export class Mailbox {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  get size(): number {
    return this.pending;
  }

  post<T>(task: () => T | Promise<T>): Promise<T> {
    this.pending++;
    const run = this.tail.then(task).finally(() => this.pending--);
    // The caller holds `run` and sees its rejection; the chain only orders the next task.
    this.tail = run.catch(() => undefined);
    return run;
  }
}
