/** Limits how many async sections run at once (e.g. user handlers across fetch loops). */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // hand the slot straight to the next waiter, so a newcomer cannot jump the queue
      if (next) next();
      else this.active--;
    }
  }
}
