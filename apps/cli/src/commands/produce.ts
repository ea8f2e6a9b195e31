import * as fs from 'fs';
import * as readline from 'readline';
import type { Command } from 'commander';
import type { AcksOption } from '@tributary/client';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { progressBar } from './progress';

function parseAcks(value: string): AcksOption {
  if (value === 'all' || value === '-1') return 'all';
  if (value === '1') return 1;
  if (value === '0') return 0;
  throw new Error(`--acks must be all, 1 or 0, got '${value}'`);
}

export function registerProduceCommand(program: Command): void {
  withBrokers(program.command('produce <topic>').description('send each line of stdin (or of --file) as one record'))
    .option('--file <path>', 'read the records from this file instead of stdin (a progress bar shows on a terminal)')
    .option('--key <key>', 'key for every record (records with one key keep their order)')
    .option('--acks <acks>', 'all, 1 or 0', parseAcks, 'all' as AcksOption)
    .action(async (topic: string, opts: ClientOptions & { key?: string; acks: AcksOption; file?: string }) => {
      // opened before connecting: a missing file fails at once, naming it
      const input = opts.file ? fs.createReadStream(opts.file) : process.stdin;
      if (opts.file) await new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject));
      const size = inputSize(opts.file);
      const progress = progressBar(size, 'bytes');
      const producer = clientFrom(opts).producer({ acks: opts.acks });
      const rl = readline.createInterface({ input, crlfDelay: Infinity });
      let read = 0;
      let pending: Array<{ key: string | null; value: string }> = [];
      let sent = 0;
      const flush = async () => {
        if (pending.length === 0) return;
        const messages = pending;
        pending = [];
        await producer.send({ topic, messages });
        sent += messages.length;
      };
      let closed = false;
      try {
        for await (const line of rl) {
          pending.push({ key: opts.key ?? null, value: line });
          read += Buffer.byteLength(line) + 1;
          progress.update(read);
          if (pending.length >= 1000) await flush();
        }
        await flush();
        progress.stop();
        // with acks=0 a send is only handed to the socket: disconnect confirms the broker took it in
        closed = true;
        await producer.disconnect();
        process.stderr.write(`sent ${sent} record(s) to '${topic}'\n`);
      } finally {
        progress.stop();
        if (!closed) await producer.disconnect().catch(() => undefined);
      }
    });
}

/** Bytes to read, for the progress bar: the file's size, or stdin's when it is a redirected file; 0 when unknown (a pipe). */
function inputSize(file: string | undefined): number {
  try {
    const st = file ? fs.statSync(file) : fs.fstatSync(0);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}
