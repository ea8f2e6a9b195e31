import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, waitFor } from './support/free-port';
import { RedisServer } from './support/redis-server';

/**
 * Issue 16: the CLI as operators use it instead of kcat and kafka-consumer-groups, against a real
 * `cluster up` (two broker processes, a private redis-server).
 */
const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
jest.setTimeout(120_000);

function brokerPidsUsing(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (env.split('\0').some((kv) => kv.startsWith(`DATA_DIR=${dataDir}`))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe('tributary CLI for operators (issue 16)', () => {
  let redis: RedisServer;
  let dir: string;
  let port: number;
  let up: ChildProcess;
  let upOutput = '';
  /** host:port, as TRIBUTARY_BROKERS accepts it */
  let brokers: string;
  const background: ChildProcess[] = [];

  const run = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) => {
    const started = Date.now();
    const r = spawnSync(process.execPath, [CLI, ...args], {
      input,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, TRIBUTARY_BROKERS: brokers, ...env },
    });
    return { code: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - started };
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cli-ops-'));
    port = await freePort();
    up = spawn(
      process.execPath,
      [CLI, 'cluster', 'up', '--count', '2', '--port', String(port), '--data-dir', dir, '--redis', redis.url, '--cluster-id', 'cli-ops'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    up.stdout?.on('data', (d: Buffer) => (upOutput += d.toString()));
    up.stderr?.on('data', (d: Buffer) => (upOutput += d.toString()));
    brokers = `127.0.0.1:${port},127.0.0.1:${port + 1}`;
    await waitFor('the ready line', () => /cluster 'cli-ops' ready/.test(upOutput), 60_000);
  });

  afterAll(async () => {
    for (const p of background) if (p.exitCode === null) p.kill('SIGKILL');
    if (up && up.exitCode === null) {
      const exited = new Promise((resolve) => up.once('exit', resolve));
      up.kill('SIGINT');
      await exited;
    }
    await redis?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('cluster up prints one ready line with the broker URLs and says it supervises; a second one on the same port fails naming it', () => {
    expect(upOutput).toContain(`ready: ws://127.0.0.1:${port},ws://127.0.0.1:${port + 1} (2 broker(s))`);
    expect(upOutput).toContain('supervising: a broker that exits is restarted');
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cli-ops2-'));
    try {
      const second = run(['cluster', 'up', '--brokers', '2', '--port', String(port), '--data-dir', other, '--redis', redis.url, '--cluster-id', 'cli-ops']);
      expect(second.code).toBe(1);
      expect(second.err).toContain(`port ${port} is already in use`);
      expect(brokerPidsUsing(other)).toEqual([]);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('brokers list: ids, addresses, controller, leaders and followers, live', () => {
    expect(run(['topics', 'create', 'ops-list', '--partitions', '2', '--replication-factor', '2']).code).toBe(0);
    const listed = run(['brokers', 'list', '-o', 'json']);
    expect(listed.code).toBe(0);
    const doc = JSON.parse(listed.out) as {
      brokers: Array<{ id: number; address: string; controller: boolean; leaderOf: number; followerOf: number; live: boolean }>;
    };
    expect(doc.brokers.map((b) => [b.id, b.address, b.live])).toEqual([
      [1, `ws://127.0.0.1:${port}`, true],
      [2, `ws://127.0.0.1:${port + 1}`, true],
    ]);
    expect(doc.brokers.filter((b) => b.controller)).toHaveLength(1);
    expect(doc.brokers.reduce((n, b) => n + b.leaderOf, 0)).toBeGreaterThanOrEqual(2);
    expect(doc.brokers.reduce((n, b) => n + b.followerOf + b.leaderOf, 0)).toBeGreaterThanOrEqual(4);
    const table = run(['brokers', 'list']);
    expect(table.out).toMatch(/^id\s+address\s+rack\s+controller\s+leads\s+follows\s+live/);
  });

  it('consume -e on an empty topic exits 0 at once; --max-messages with --timeout exits 4', () => {
    expect(run(['topics', 'create', 'ops-empty', '--partitions', '3']).code).toBe(0);
    const empty = run(['consume', 'ops-empty', '-e', '--offset', 'earliest']);
    process.stdout.write(`consume -e on an empty topic: ${empty.ms} ms\n`);
    expect(empty.code).toBe(0);
    expect(empty.out).toBe('');
    expect(empty.err).toContain('reached the end of 3 partition(s)');
    const timed = run(['consume', 'ops-empty', '--max-messages', '1', '--timeout', '1000']);
    process.stdout.write(`consume --max-messages 1 --timeout 1000 on an empty topic: ${timed.ms} ms\n`);
    expect(timed.code).toBe(4);
    expect(timed.err).toContain('read 0 of --max-messages 1');
  });

  it('produce -K and --header; consume --format parses back to what was produced, headers round-trip', () => {
    expect(run(['topics', 'create', 'ops-fmt', '--partitions', '3']).code).toBe(0);
    const lines = Array.from({ length: 30 }, (_, i) => `key-${i % 7}:value ${i}: with colon`);
    const produced = run(['produce', 'ops-fmt', '-K', ':', '-H', 'source=cli', '--header', 'trace=t-1'], `${lines.join('\n')}\n`);
    expect(produced.code).toBe(0);
    expect(produced.err).toMatch(/sent 30 record\(s\) to 'ops-fmt': \d+ bytes, partition\(s\) [0-2,]+, \d+ ms/);

    const consumed = run(['consume', 'ops-fmt', '--offset', 'earliest', '-e', '--format', '%p:%o:%k:%s\\n']);
    expect(consumed.code).toBe(0);
    const parsed = consumed.out
      .trimEnd()
      .split('\n')
      .map((l) => {
        const [p, o, k, ...rest] = l.split(':');
        return { partition: Number(p), offset: Number(o), key: k, value: rest.join(':') };
      });
    expect(parsed.map((r) => `${r.key}:${r.value}`).sort()).toEqual([...lines].sort());
    // one key, one partition, offsets dense from 0 in each partition
    for (const r of parsed) expect(parsed.filter((x) => x.key === r.key).every((x) => x.partition === r.partition)).toBe(true);
    for (const p of new Set(parsed.map((r) => r.partition))) {
      const offsets = parsed.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    const headers = run(['consume', 'ops-fmt', '--offset', '-1', '-e', '--format', '%h|%t\\n']);
    const headerLines = headers.out.trimEnd().split('\n'); // the last record of each partition that has one
    expect(headerLines.length).toBeGreaterThanOrEqual(1);
    for (const l of headerLines) expect(l).toBe('source=cli,trace=t-1|ops-fmt');
    const plain = run(['consume', 'ops-fmt', '--offset', 'earliest', '-e', '--print-key', '--print-headers']);
    expect(plain.out.split('\n')[0]).toMatch(/^key-\d\tsource=cli,trace=t-1\tvalue \d+: with colon$/);
    const json = run(['consume', 'ops-fmt', '--offset', 'earliest', '-e', '-o', 'json']);
    const first = JSON.parse(json.out.split('\n')[0]) as { headers: Record<string, string> };
    expect(first.headers).toEqual({ source: 'cli', trace: 't-1' });
    // bad format: a usage error naming the token
    const bad = run(['consume', 'ops-fmt', '-e', '--format', '%q']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown token '%q'");
  });

  it('produce --partition, consume --partition and --offset N / -N / @timestamp', () => {
    expect(run(['topics', 'create', 'ops-part', '--partitions', '2']).code).toBe(0);
    const before = Date.now();
    expect(run(['produce', 'ops-part', '--partition', '1'], 'a\nb\nc\nd\n').code).toBe(0);
    expect(run(['consume', 'ops-part', '--partition', '1', '--offset', 'earliest', '-e']).out).toBe('a\nb\nc\nd\n');
    expect(run(['consume', 'ops-part', '--partition', '0', '--offset', 'earliest', '-e']).out).toBe('');
    expect(run(['consume', 'ops-part', '--partition', '1', '--offset', '2', '-e']).out).toBe('c\nd\n');
    expect(run(['consume', 'ops-part', '--offset', '-1', '-e']).out).toBe('d\n');
    expect(run(['consume', 'ops-part', '--offset', `@${before - 60_000}`, '-e', '--format', '%o\\n']).out).toBe('0\n1\n2\n3\n');
    const wrong = run(['produce', 'ops-part', '--partition', '5'], 'x\n');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('has 2 partition(s)');
  });

  it('an oversized line is reported with its line number; the lines before it are sent and said so', () => {
    expect(run(['topics', 'create', 'ops-big']).code).toBe(0);
    const input = ['one', 'two', 'x'.repeat(500), 'four'].join('\n');
    const r = run(['produce', 'ops-big', '--max-request-size', '300'], `${input}\n`);
    expect(r.code).toBe(1);
    expect(r.err).toContain('line 3: a record of 500 bytes does not fit --max-request-size (300 bytes); 2 record(s) sent before it (lines 1-2)');
    expect(run(['consume', 'ops-big', '--offset', 'earliest', '-e']).out).toBe('one\ntwo\n');
    // the default limit follows the topic's max.message.bytes
    expect(run(['topics', 'create', 'ops-small', '--config', 'max.message.bytes=1000']).code).toBe(0);
    const small = run(['produce', 'ops-small'], `ok\n${'y'.repeat(2000)}\n`);
    expect(small.code).toBe(1);
    expect(small.err).toContain("line 2: a record of 2000 bytes does not fit topic 'ops-small' max.message.bytes (1000 bytes)");
  });

  it('consume --group commits as it goes; groups reset-offsets --to-earliest makes the group re-read everything', () => {
    expect(run(['topics', 'create', 'ops-group', '--partitions', '2']).code).toBe(0);
    expect(run(['produce', 'ops-group', '-K', '='], 'a=1\nb=2\nc=3\nd=4\ne=5\n').code).toBe(0);
    const first = run(['consume', 'ops-group', '--group', 'ops-g', '--offset', 'earliest', '-e']);
    expect(first.code).toBe(0);
    expect(first.out.trimEnd().split('\n').sort()).toEqual(['1', '2', '3', '4', '5']);
    process.stdout.write(`group consume -e of 5 records: ${first.ms} ms\n`);
    const again = run(['consume', 'ops-group', '--group', 'ops-g', '--offset', 'earliest', '-e']);
    expect(again.code).toBe(0);
    expect(again.out).toBe('');

    const dry = run(['groups', 'reset-offsets', 'ops-g', '--topic', 'ops-group', '--to-earliest', '--dry-run', '-o', 'json']);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.out) as { dryRun: boolean; partitions: Array<{ current: number; next: number }> };
    expect(plan.dryRun).toBe(true);
    expect(plan.partitions.reduce((n, p) => n + p.current, 0)).toBe(5);
    expect(plan.partitions.every((p) => p.next === 0)).toBe(true);
    expect(run(['consume', 'ops-group', '--group', 'ops-g', '-e']).out).toBe(''); // the dry run changed nothing

    const reset = run(['groups', 'reset-offsets', 'ops-g', '--topic', 'ops-group', '--to-earliest']);
    expect(reset.code).toBe(0);
    expect(reset.out).toContain("group 'ops-g': 2 partition(s) reset");
    const reread = run(['consume', 'ops-group', '--group', 'ops-g', '-e']);
    expect(reread.out.trimEnd().split('\n').sort()).toEqual(['1', '2', '3', '4', '5']);

    const shifted = run(['groups', 'reset-offsets', 'ops-g', '--topic', 'ops-group', '--shift-by', '-1']);
    expect(shifted.code).toBe(0);
    expect(run(['consume', 'ops-group', '--group', 'ops-g', '-e']).out.trimEnd().split('\n')).toHaveLength(2);
    const none = run(['groups', 'reset-offsets', 'ops-g', '--topic', 'ops-group']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('give exactly one of');
  });

  it('groups reset-offsets is refused while the group has a live member; describe --members shows it', async () => {
    expect(run(['topics', 'create', 'ops-live']).code).toBe(0);
    let memberOut = '';
    const member = spawn(process.execPath, [CLI, 'consume', 'ops-live', '--group', 'ops-live-g'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIBUTARY_BROKERS: brokers },
    });
    background.push(member);
    member.stdout?.on('data', (d: Buffer) => (memberOut += d.toString()));
    member.stderr?.on('data', (d: Buffer) => (memberOut += d.toString()));
    await waitFor(
      'the member in the group',
      () => {
        const d = run(['groups', 'describe', 'ops-live-g', '--members', '-o', 'json']);
        return d.code === 0 && (JSON.parse(d.out) as { members: unknown[] }).members.length === 1;
      },
      30_000,
      300,
    );
    const described = run(['groups', 'describe', 'ops-live-g', '--members']);
    expect(described.out).toMatch(/member\s+client\s+topics\s+partitions/);
    expect(described.out).toContain('ops-live-0');

    const refused = run(['groups', 'reset-offsets', 'ops-live-g', '--topic', 'ops-live', '--to-earliest']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("group 'ops-live-g' has 1 live member(s)");

    expect(run(['produce', 'ops-live'], 'live\n').code).toBe(0);
    await waitFor('the member printed the record', () => memberOut.includes('live\n'), 20_000);
    const exited = new Promise<number | null>((resolve) => member.once('exit', resolve));
    member.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(run(['groups', 'reset-offsets', 'ops-live-g', '--topic', 'ops-live', '--to-earliest']).code).toBe(0);
  });

  it('groups delete: refused while a member is live, then removes the group and its offsets', async () => {
    expect(run(['topics', 'create', 'ops-del']).code).toBe(0);
    expect(run(['produce', 'ops-del'], 'x\ny\n').code).toBe(0);
    expect(run(['consume', 'ops-del', '--group', 'ops-del-g', '--offset', 'earliest', '-e']).out).toBe('x\ny\n');
    let memberOut = '';
    const member = spawn(process.execPath, [CLI, 'consume', 'ops-del', '--group', 'ops-del-g'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIBUTARY_BROKERS: brokers },
    });
    background.push(member);
    member.stderr?.on('data', (d: Buffer) => (memberOut += d.toString()));
    await waitFor(
      'the member in the group',
      () =>
        (JSON.parse(run(['groups', 'describe', 'ops-del-g', '--members', '-o', 'json']).out || '{"members":[]}') as { members: unknown[] }).members.length ===
        1,
      30_000,
      300,
    );
    const refused = run(['groups', 'delete', 'ops-del-g']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("group 'ops-del-g' has live members");
    const exited = new Promise<number | null>((resolve) => member.once('exit', resolve));
    member.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(memberOut).not.toContain('error');

    const deleted = run(['groups', 'delete', 'ops-del-g']);
    expect(deleted.code).toBe(0);
    expect(deleted.out).toBe("deleted group 'ops-del-g'\n");
    expect(run(['groups', 'describe', 'ops-del-g']).code).toBe(3);
    expect(run(['groups', 'list']).out).not.toContain('ops-del-g');
    expect(run(['groups', 'delete', 'ops-del-g']).code).toBe(3);
    // its offsets went with it: a new member of that name starts from --offset again
    expect(run(['consume', 'ops-del', '--group', 'ops-del-g', '--offset', 'earliest', '-e']).out).toBe('x\ny\n');
  });

  it('not found is exit code 3, and --help documents the exit codes on every command', () => {
    expect(run(['consume', 'no-such-topic', '-e']).code).toBe(3);
    expect(run(['groups', 'reset-offsets', 'g', '--topic', 'no-such-topic', '--to-latest']).code).toBe(3);
    for (const cmd of [['brokers', 'list'], ['consume'], ['groups', 'reset-offsets'], ['produce']])
      expect(run([...cmd, '--help']).out).toMatch(/Exit codes:[\s\S]*2 {2}usage[\s\S]*3 {2}not found[\s\S]*4 {2}timeout/);
  });

  it('completion bash (and zsh) is generated from the command definitions', () => {
    const script = run(['completion', 'bash']);
    expect(script.code).toBe(0);
    const complete = (words: string[]) =>
      spawnSync(
        'bash',
        ['-c', `${script.out}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _tributary; echo "\${COMPREPLY[*]}"`],
        {
          encoding: 'utf8',
        },
      ).stdout.trim();
    expect(complete(['tributary', 'gro'])).toBe('groups');
    expect(complete(['tributary', 'groups', 'reset'])).toBe('reset-offsets');
    expect(complete(['tributary', 'consume', 'my-topic', '--exit'])).toBe('--exit-at-end');
    expect(complete(['tributary', 'groups', 'reset-offsets', 'g', '--to-e'])).toBe('--to-earliest');
    expect(run(['completion', 'zsh']).out).toContain('bashcompinit');
    expect(run(['completion', 'fish']).code).toBe(2);
  });

  it('a broker SIGKILLed under cluster up (--restart, the default) is back within seconds', async () => {
    const pids = brokerPidsUsing(path.join(dir, 'broker-2'));
    expect(pids).toHaveLength(1);
    const killedAt = Date.now();
    process.kill(pids[0], 'SIGKILL');
    await waitFor('broker 2 restarted', () => upOutput.includes(`[broker 2] restarted: ws://127.0.0.1:${port + 1} answers again`), 20_000, 100);
    const backMs = Date.now() - killedAt;
    process.stdout.write(`broker SIGKILLed under cluster up: answering again after ${backMs} ms\n`);
    expect(upOutput).toMatch(/\[broker 2\] exited \(.*\); restarting it in \d+ ms \(--restart\)/);
    expect(backMs).toBeLessThan(15_000);
    const listed = JSON.parse(run(['brokers', 'list', '-o', 'json']).out) as { brokers: Array<{ live: boolean }> };
    expect(listed.brokers.every((b) => b.live)).toBe(true);
  });
});
