import { Mailbox } from './mailbox';

describe('Mailbox', () => {
  it('runs tasks one at a time in order, even when they await', async () => {
    const box = new Mailbox();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([box.post(task('a', 20)), box.post(task('b', 1)), box.post(task('c', 5))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('keeps going after a task fails', async () => {
    const box = new Mailbox();
    await expect(box.post(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(box.post(() => 42)).resolves.toBe(42);
    expect(box.size).toBe(0);
  });
});
