import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The benchmark in --quick mode, as CI runs it: the built CLI as a child process, two
 * scenarios, the Redis Streams peer (and NATS when nats-server is on PATH). It checks that
 * the report and the JSON were written with the expected rows and positive numbers; it
 * never asserts a speed, since CI machines vary.
 */

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'apps', 'bench', 'src', 'main.js');

interface Row {
  scenario: string;
  system: string;
  variant: string;
  guarantee: string;
  status: string;
  recordsPerSec?: number;
  records?: number;
  metrics?: Record<string, number>;
}

function natsOnPath(): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && fs.existsSync(path.join(dir, 'nats-server')));
}

function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // SIGTERM lets the bench stop the processes it started before it exits
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('tributary bench --quick (smoke)', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-smoke-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs produce and consume against real brokers and Redis Streams, and writes the JSON and Markdown reports', async () => {
    const withNats = natsOnPath();
    const reportFile = path.join(dir, 'benchmarks.md');
    const args = ['bench', '--quick', '--scenarios', 'produce,consume', '--message-size', '1024', '--out', dir, '--report', reportFile];
    if (!withNats) args.push('--no-nats');
    // The bound only catches a hung bench: --quick takes seconds idle and much longer beside other load.
    const started = Date.now();
    const { code, output } = await runCli(args, 150_000);
    process.stdout.write(`bench --quick took ${Date.now() - started} ms\n`);
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });

    const report = JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8')) as { rows: Row[]; machine: { cores: number; node: string } };
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    const find = (scenario: string, system: string, variant: string): Row | undefined =>
      report.rows.find((r) => r.scenario === scenario && r.system === system && r.variant.startsWith(variant));

    const measured: Array<[string, string, string]> = [
      ['produce', 'Tributary', 'acks=1'],
      ['produce', 'Redis Streams', 'XADD'],
      ['consume', 'Tributary', '1 consumer'],
      ['consume', 'Redis Streams', 'XREAD '],
      ['consume', 'Redis Streams', 'XREADGROUP'],
    ];
    if (withNats) measured.push(['produce', 'NATS JetStream', 'R1, 1 record'], ['produce', 'NATS JetStream', 'R1, 100 records']);
    for (const [scenario, system, variant] of measured) {
      const row = find(scenario, system, variant);
      expect({ scenario, system, variant, status: row?.status }).toEqual({ scenario, system, variant, status: 'ok' });
      expect(row?.recordsPerSec).toBeGreaterThan(0);
      expect(row?.records).toBeGreaterThan(0);
      expect(row?.guarantee.length).toBeGreaterThan(0);
    }
    if (!withNats) expect(find('produce', 'NATS JetStream', 'R1, 1 record')?.status).toBe('skipped');
    // the brokers' CPU per record, read from /proc around the measured run (Linux)
    if (process.platform === 'linux') expect(find('produce', 'Tributary', 'acks=1')?.metrics?.brokerCpuUsPerRecord).toBeGreaterThan(0);

    const markdown = fs.readFileSync(reportFile, 'utf8');
    expect(markdown).toContain('# Tributary benchmarks');
    expect(markdown).toContain('Redis Streams');
    expect(markdown).toContain('## Against the targets of issues 5 and 12');
    expect(markdown).toMatch(/Machine: .+ \d+ cores/);
  }, 180_000);
});
