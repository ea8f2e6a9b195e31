import { ManagedProcess } from './managed-process';
import { StopWaiting, waitUntil } from './wait';

const node = (script: string, name = 'child'): ManagedProcess => new ManagedProcess({ name, command: process.execPath, args: ['-e', script] });

describe('ManagedProcess', () => {
  it('hands complete lines to onLine even when a line arrives in pieces, and reports how it exited', async () => {
    const lines: string[] = [];
    let how = '';
    const p = new ManagedProcess({
      name: 'writer',
      command: process.execPath,
      args: [
        '-e',
        "process.stdout.write('hel'); setTimeout(() => { process.stdout.write('lo\\nwor'); setTimeout(() => { process.stdout.write('ld\\nlast'); process.exit(3); }, 50); }, 50);",
      ],
      onLine: (l) => lines.push(l),
      onExit: (h) => (how = h),
    });
    p.start();
    await p.whenExited();
    expect(lines).toEqual(['hello', 'world', 'last']);
    expect(how).toBe('code 3');
    expect(p.output).toBe('hello\nworld\nlast');
    expect(() => p.assertRunning()).toThrow(StopWaiting);
    expect(() => p.assertRunning()).toThrow(/writer exited unexpectedly \(code 3\); last output: hello \/ world \/ last/);
  });

  it('ends a SIGSTOPped process with SIGTERM (SIGCONT first), and SIGKILLs one that ignores SIGTERM', async () => {
    const stopped = node('setInterval(() => undefined, 1000)');
    stopped.start();
    stopped.signal('SIGSTOP');
    const t0 = performance.now();
    await stopped.terminate('SIGTERM', 20_000);
    expect(stopped.running).toBe(false);
    expect(performance.now() - t0).toBeLessThan(10_000);

    const stubborn = node("process.on('SIGTERM', () => undefined); console.log('up'); setInterval(() => undefined, 1000)");
    stubborn.start();
    await waitUntil('the child to install its handler', () => stubborn.output.includes('up'), 10_000, 20);
    await stubborn.stop(300);
    expect(stubborn.running).toBe(false);
  });

  it('starts again after it exited, keeping the output of both runs', async () => {
    const p = node("console.log('run')");
    p.start();
    await p.whenExited();
    p.start();
    await p.whenExited();
    expect(p.output.match(/run/g)).toHaveLength(2);
  });

  it('says why a spawn failed instead of hanging a wait', async () => {
    const p = new ManagedProcess({ name: 'ghost', command: '/nonexistent/tributary-no-such-binary', args: [] });
    p.start();
    await p.whenExited();
    await expect(waitUntil('ghost to answer', () => (p.assertRunning(), false), 30_000)).rejects.toThrow(/ghost exited unexpectedly.*spawn error/);
  });
});

describe('waitUntil', () => {
  it('returns the first truthy value, and names what it waited for and the last error on timeout', async () => {
    let n = 0;
    await expect(waitUntil('n to reach 3', () => (++n >= 3 ? n : false), 5_000, 1)).resolves.toBe(3);
    await expect(
      waitUntil(
        'a flaky thing',
        () => {
          throw new Error('not yet');
        },
        200,
        20,
      ),
    ).rejects.toThrow('timed out after 200 ms waiting for a flaky thing: not yet');
  });
});

describe('waitUntil with a check that never settles', () => {
  it('gives up at the deadline plus a bounded grace instead of hanging', async () => {
    const t0 = performance.now();
    await expect(waitUntil('a silent peer', () => new Promise<boolean>(() => undefined), 200)).rejects.toThrow(
      /timed out after 200 ms waiting for a silent peer: a check for a silent peer did not settle/,
    );
    expect(performance.now() - t0).toBeLessThan(15_000);
  });
});
