import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tributary } from '@tributary/client';
import { freePort, waitFor } from './support/free-port';
import { RedisServer } from './support/redis-server';

const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');

/** Broker processes find their data dir in DATA_DIR, not in argv: look there. */
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

/** The `tributary` command as a user runs it: cluster up, topics, produce from stdin, consume, Ctrl-C. */
jest.setTimeout(180_000);

describe('tributary CLI', () => {
  let redis: RedisServer;
  let dir: string;
  let up: ChildProcess;
  let upOutput = '';
  let brokers: string;

  const run = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [CLI, ...args, '--brokers', brokers], { input, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cli-'));
    const port = await freePort();
    // The second and third brokers take the next two ports; pick a base whose neighbours are free too.
    up = spawn(
      process.execPath,
      [CLI, 'cluster', 'up', '--brokers', '3', '--port', String(port), '--data-dir', dir, '--redis', redis.url, '--cluster-id', 'cli-test'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    up.stdout?.on('data', (d: Buffer) => (upOutput += d.toString()));
    up.stderr?.on('data', (d: Buffer) => (upOutput += d.toString()));
    brokers = `ws://127.0.0.1:${port + 2}`;
    await waitFor('three brokers listening', () => (upOutput.match(/listening on/g) ?? []).length === 3, 30_000);
  });

  afterAll(async () => {
    if (up && up.exitCode === null) up.kill('SIGKILL');
    await redis?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives its brokers one inter-broker secret of its own (the same fingerprint on all three)', async () => {
    await waitFor('three secret lines', () => (upOutput.match(/inter-broker secret from INTER_BROKER_SECRET/g) ?? []).length === 3, 10_000);
    const fingerprints = [...upOutput.matchAll(/inter-broker secret from INTER_BROKER_SECRET, fingerprint ([0-9a-f]{12})/g)].map((m) => m[1]);
    expect(new Set(fingerprints).size).toBe(1);
  });

  it('creates, lists and describes topics, produces lines and consumes them back', () => {
    const created = run(['topics', 'create', 'cli-demo', '--partitions', '3', '--config', 'retention.ms=3600000']);
    expect(created.code).toBe(0);
    expect(created.out).toContain("created topic 'cli-demo' with 3 partition(s)");

    const again = run(['topics', 'create', 'cli-demo', '--partitions', '3']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
    const bad = run(['topics', 'create', 'bad name']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/topic name 'bad name' is invalid/);

    expect(run(['topics', 'list']).out.split('\n')).toContain('cli-demo');
    const produced = run(['produce', 'cli-demo', '--key', 'k1'], 'one\ntwo\nthree\n');
    expect(produced.code).toBe(0);
    expect(produced.err).toContain('sent 3 record(s)');

    const described = run(['topics', 'describe', 'cli-demo']);
    expect(described.code).toBe(0);
    expect(described.out).toContain('retention.ms=3600000');
    const rows = described.out
      .trim()
      .split('\n')
      .slice(2)
      .map((l) => l.trim().split(/\s+/));
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => Number(r[6])).reduce((a, b) => a + b, 0)).toBe(3); // high watermarks add up to 3 records

    const consumed = run(['consume', 'cli-demo', '--from-beginning', '--max-messages', '3', '--print-key']);
    expect(consumed.code).toBe(0);
    expect(consumed.out).toBe('k1\tone\nk1\ttwo\nk1\tthree\n');

    // --output json for scripts: one document, or JSON Lines for consume
    expect(JSON.parse(run(['topics', 'list', '-o', 'json']).out)).toContain('cli-demo');
    const doc = JSON.parse(run(['topics', 'describe', 'cli-demo', '--output', 'json']).out) as { partitions: Array<{ highOffset: number }> };
    expect(doc.partitions.map((p) => p.highOffset).reduce((a, b) => a + b, 0)).toBe(3);
    const lines = run(['consume', 'cli-demo', '--from-beginning', '--max-messages', '3', '-o', 'json']).out.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { key: string; value: string }).value)).toEqual(['one', 'two', 'three']);
    expect(JSON.parse(lines[0])).toMatchObject({ topic: 'cli-demo', key: 'k1', offset: 0, headers: {} });
    // exit codes: 2 usage, 3 not found; documented in --help
    expect(run(['topics', 'list', '--no-such-option']).code).toBe(2);
    expect(run(['topics', 'describe', 'no-such-topic']).code).toBe(3);
    expect(run(['topics', '--help']).out).toMatch(/Exit codes:[\s\S]*3 {2}not found[\s\S]*4 {2}timeout/);
  });

  it('deletes a topic and waits for its deletion job, then lists and describes the job', () => {
    expect(run(['topics', 'create', 'cli-gone', '--partitions', '2']).code).toBe(0);
    const described = run(['topics', 'describe', 'cli-gone']);
    const id = /id: ([0-9a-f-]{36})/.exec(described.out)?.[1];
    expect(id).toBeDefined();

    const deleted = run(['topics', 'delete', 'cli-gone', '--wait']);
    expect(deleted.code).toBe(0);
    expect(deleted.out).toContain(`deleted topic 'cli-gone' (id ${id}); deletion job deleteTopic-${id}`);
    expect(deleted.out).toContain(`deletion job deleteTopic-${id} completed`);
    // without a terminal, --wait shows the job's progress one line per change on stderr
    expect(deleted.err).toMatch(/job deleteTopic-.*: (active|completed) step \d\/4/);
    expect(run(['topics', 'list']).out.split('\n')).not.toContain('cli-gone');

    const listed = run(['jobs', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(new RegExp(`deleteTopic-${id}\\s+deleteTopic\\s+completed\\s+4/4`));
    const job = run(['jobs', 'describe', `deleteTopic-${id}`]);
    expect(job.code).toBe(0);
    expect(job.out).toContain('state: completed');
    expect(job.out).toContain(`args: {"topic":"cli-gone","topicId":"${id}","partitionCount":2}`);

    const unknownJob = run(['jobs', 'describe', 'no-such-job']);
    expect(unknownJob.code).toBe(3); // not found, as for topics and groups
    expect(unknownJob.err).toContain("no admin job 'no-such-job'");
    const unknownTopic = run(['topics', 'delete', 'cli-gone']);
    expect(unknownTopic.code).toBe(3); // not found (see --help)
    expect(unknownTopic.err).toContain("topic 'cli-gone' does not exist");
  });

  it('lists and describes a consumer group with its lag', async () => {
    // A member reads the three records of a topic of its own, commits 2 of them, and leaves.
    const client = new Tributary({ brokers: [brokers] });
    const admin = client.admin();
    await admin.createTopics({ topics: [{ topic: 'cli-lag', numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
    const producer = client.producer({ acks: 'all' });
    await producer.send({ topic: 'cli-lag', messages: ['one', 'two', 'three'].map((value) => ({ value })) });
    await producer.disconnect();
    const member = client.consumer({ groupId: 'cli-group', autoCommit: false });
    await member.subscribe({ topics: ['cli-lag'], fromBeginning: true });
    let seen = 0;
    let partition = -1;
    await member.run({
      eachMessage: async ({ partition: p }) => {
        seen++;
        partition = p;
      },
    });
    await waitFor('three records read', () => seen === 3, 30_000, 50);
    await member.commitOffsets([{ topic: 'cli-lag', partition, offset: 2 }]);

    const listed = run(['groups', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/cli-group\s+Stable/);
    const described = run(['groups', 'describe', 'cli-group']);
    expect(described.code).toBe(0);
    expect(described.out).toContain('group: cli-group  state: Stable');
    const row = described.out
      .split('\n')
      .find((l) => l.startsWith(`cli-lag  ${partition} `))
      ?.trim()
      .split(/\s+/);
    expect(row?.slice(2, 5)).toEqual(['2', '3', '1']); // committed 2, end 3, lag 1
    expect(described.out).toContain('total lag: 1');
    await member.disconnect();
    await client.disconnect();
    const missing = run(['groups', 'describe', 'no-such-group']);
    expect(missing.code).toBe(3);
    expect(missing.err).toContain("group 'no-such-group' does not exist");
    const json = JSON.parse(run(['groups', 'describe', 'cli-group', '-o', 'json']).out) as { totalLag: number; groupId: string };
    expect(json).toMatchObject({ groupId: 'cli-group', totalLag: 1 });
  });

  it('stops every broker on Ctrl-C', async () => {
    expect(brokerPidsUsing(dir)).toHaveLength(3);
    const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
    up.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(brokerPidsUsing(dir)).toEqual([]);
  });
});
