import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';

const CLIENT_MAIN = path.resolve(__dirname, '..', '..', 'dist', 'libs', 'client', 'src', 'index.js');

/**
 * A group member in its own process (the built client) that a test can SIGSTOP mid-batch.
 * mode 'message': eachMessage, each record printed ("seen", with the time) when handed out and
 * held for holdMs, auto-commit every 200 ms. mode 'batch': it takes whole batches (eachBatch), prints every record when its handler gets it ("seen", with the
 * time), holds the batch for holdMs, then commits the batch's end by hand and prints the outcome.
 * SIGUSR2 makes its next batch hold for longHoldMs of running time, so the test can stop it
 * while it holds one, and it goes on holding for a while after it is resumed.
 */
const SCRIPT = `
const { Tributary } = require(process.env.CLIENT_MAIN);
const cfg = JSON.parse(process.argv[1]);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let longHold = false;
process.on('SIGUSR2', () => { longHold = true; });
const client = new Tributary({ brokers: [cfg.url], logLevel: 0 });
const consumer = client.consumer({
  groupId: cfg.groupId, sessionTimeoutMs: 3000, heartbeatIntervalMs: 300, rebalanceTimeoutMs: 6000,
  autoCommit: cfg.mode === 'message', autoCommitIntervalMs: 200, maxWaitMs: 100, maxBytesPerPartition: 1, assignors: cfg.assignors,
});
consumer.on('group.join', (e) => out({ e: 'join', gen: e.generationId, member: e.memberId, parts: e.assignment.flatMap((a) => a.partitions) }));
(async () => {
  await consumer.subscribe({ topic: cfg.topic, fromBeginning: true });
  if (cfg.mode === 'message') {
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        out({ e: 'seen', p: partition, o: message.offset, t: Date.now() });
        await sleep(cfg.holdMs);
      },
    });
    return;
  }
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const t = Date.now();
      const first = batch.messages[0].offset;
      const last = batch.messages[batch.messages.length - 1].offset;
      for (const m of batch.messages) out({ e: 'seen', p: batch.partition, o: m.offset, t });
      const long = longHold;
      longHold = false;
      out({ e: 'hold', p: batch.partition, first, last, long, t });
      // a long hold counts running time only: stopped in it, the member still holds the batch for
      // most of longHoldMs after it resumes, long enough to rejoin before it commits
      if (long) for (let i = 0; i < cfg.longHoldMs / 100; i++) await sleep(100);
      else await sleep(cfg.holdMs);
      try {
        await consumer.commitOffsets([{ topic: cfg.topic, partition: batch.partition, offset: last + 1 }]);
        out({ e: 'commit', p: batch.partition, o: last + 1, ok: true, t: Date.now() });
      } catch (err) {
        out({ e: 'commit', p: batch.partition, o: last + 1, ok: false, name: err.name, type: err.type, t: Date.now() });
      }
    },
  });
})().catch((e) => { process.stderr.write(String(e) + '\\n'); process.exit(1); });
`;

export interface FencingChildOptions {
  mode: 'batch' | 'message';
  url: string;
  groupId: string;
  topic: string;
  holdMs: number;
  longHoldMs: number;
  assignors: string[];
}

export type ChildEvent =
  | { e: 'join'; gen: number; member: string; parts: number[] }
  | { e: 'seen'; p: number; o: number; t: number }
  | { e: 'hold'; p: number; first: number; last: number; long: boolean; t: number }
  | { e: 'commit'; p: number; o: number; ok: boolean; name?: string; type?: string; t: number };

export class FencingChild {
  readonly events: ChildEvent[] = [];
  private readonly proc: ChildProcess;
  private buffer = '';

  constructor(
    readonly name: string,
    options: FencingChildOptions,
  ) {
    this.proc = spawn(process.execPath, ['-e', SCRIPT, JSON.stringify(options)], {
      env: { ...process.env, CLIENT_MAIN },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.proc.stdout?.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{')) this.events.push(JSON.parse(line) as ChildEvent);
    });
  }

  of<K extends ChildEvent['e']>(kind: K): Extract<ChildEvent, { e: K }>[] {
    return this.events.filter((e): e is Extract<ChildEvent, { e: K }> => e.e === kind);
  }

  lastJoin(): Extract<ChildEvent, { e: 'join' }> | undefined {
    const joins = this.of('join');
    return joins[joins.length - 1];
  }

  signal(sig: NodeJS.Signals): void {
    this.proc.kill(sig);
  }

  kill(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return resolve();
      this.proc.once('exit', () => resolve());
      // a stopped process gets SIGKILL all the same
      this.proc.kill('SIGKILL');
    });
  }
}
