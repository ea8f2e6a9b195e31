import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DataDirLock, DataDirLockedError, processStartTime } from './data-dir-lock';

describe('DataDirLock', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-lock-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const writeLock = (holder: object) => fs.writeFileSync(path.join(dir, '.lock'), JSON.stringify(holder));

  it('is exclusive while its holder lives, and free again once released', () => {
    const a = new DataDirLock(dir);
    a.acquire(1, 'token-a');
    expect(() => new DataDirLock(dir).acquire(2, 'token-b')).toThrow(DataDirLockedError);
    expect(() => new DataDirLock(dir).acquire(2, 'token-b')).toThrow(/is locked by broker 1 \(pid \d+\)/);
    a.release();
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
    const b = new DataDirLock(dir);
    b.acquire(2, 'token-b');
    expect(b.staleHolder).toBeNull();
  });

  it("takes over a lock whose holder died, and reports the dead holder's token and epoch", () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(child.stdout.toString());
    writeLock({ pid: deadPid, startTime: 1, brokerId: 3, token: 'dead-token', brokerEpoch: 41 });
    const lock = new DataDirLock(dir);
    lock.acquire(3, 'new-token');
    expect(lock.staleHolder).toMatchObject({ pid: deadPid, brokerId: 3, token: 'dead-token', brokerEpoch: 41 });
    expect(JSON.parse(fs.readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid, token: 'new-token' });
  });

  it('tells a reused pid from the holder by its start time', () => {
    const mine = processStartTime(process.pid);
    expect(mine).not.toBeNull();
    // a previous process that had this very pid (a restarted container's pid 1), started earlier
    writeLock({ pid: process.pid, startTime: (mine ?? 0) - 1000, brokerId: 1, token: 'old', brokerEpoch: 2 });
    const lock = new DataDirLock(dir);
    lock.acquire(1, 'new');
    expect(lock.staleHolder?.token).toBe('old');
  });

  it('treats a lock file that names no process (torn or garbage) as stale', () => {
    fs.writeFileSync(path.join(dir, '.lock'), '{"pid":');
    const lock = new DataDirLock(dir);
    lock.acquire(1, 't');
    expect(lock.staleHolder).toBeNull();
  });

  it("records the broker epoch in place, and a release never removes a successor's lock", () => {
    const lock = new DataDirLock(dir);
    lock.acquire(1, 't');
    lock.recordEpoch(7);
    expect(JSON.parse(fs.readFileSync(lock.file, 'utf8'))).toMatchObject({ brokerEpoch: 7, token: 't' });
    writeLock({ pid: process.pid, startTime: processStartTime(process.pid), brokerId: 1, token: 'someone-else', brokerEpoch: 8 });
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['.lock']); // no temp files left behind
  });
});
