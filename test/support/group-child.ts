import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';

const CLIENT_MAIN = path.resolve(__dirname, '..', '..', 'dist', 'libs', 'client', 'src', 'index.js');

/**
 * A group member in its own process (the built client), so a test can SIGKILL it: no leave,
 * no final commit, its socket just dies. It prints "seen partition:offset" per record handled.
 */
const SCRIPT = `
const { Tributary } = require(process.env.CLIENT_MAIN);
const [url, groupId, topic] = process.argv.slice(1);
const client = new Tributary({ brokers: [url], logLevel: 0 });
const consumer = client.consumer({ groupId, sessionTimeoutMs: 3000, heartbeatIntervalMs: 300, rebalanceTimeoutMs: 6000, autoCommitIntervalMs: 200, maxWaitMs: 100, assignors: ['range'] });
consumer.on('group.join', (e) => process.stdout.write('join ' + JSON.stringify(e.assignment) + '\\n'));
(async () => {
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => { process.stdout.write('seen ' + partition + ':' + message.offset + '\\n'); } });
})().catch((e) => { process.stderr.write(String(e) + '\\n'); process.exit(1); });
`;

export class GroupChild {
  readonly seen: string[] = [];
  joins = 0;
  private readonly proc: ChildProcess;
  private buffer = '';

  constructor(url: string, groupId: string, topic: string) {
    this.proc = spawn(process.execPath, ['-e', SCRIPT, url, groupId, topic], { env: { ...process.env, CLIENT_MAIN }, stdio: ['ignore', 'pipe', 'inherit'] });
    this.proc.stdout?.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('seen ')) this.seen.push(line.slice(5));
        if (line.startsWith('join ')) this.joins++;
      }
    });
  }

  kill(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return resolve();
      this.proc.once('exit', () => resolve());
      this.proc.kill('SIGKILL');
    });
  }
}
