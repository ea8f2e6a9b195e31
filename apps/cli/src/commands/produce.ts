import * as readline from 'readline';
import type { Command } from 'commander';
import type { AcksOption } from '@tributary/client';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';

function parseAcks(value: string): AcksOption {
  if (value === 'all' || value === '-1') return 'all';
  if (value === '1') return 1;
  if (value === '0') return 0;
  throw new Error(`--acks must be all, 1 or 0, got '${value}'`);
}

export function registerProduceCommand(program: Command): void {
  withBrokers(program.command('produce <topic>').description('send each line of stdin as one record'))
    .option('--key <key>', 'key for every record (records with one key keep their order)')
    .option('--acks <acks>', 'all, 1 or 0', parseAcks, 'all' as AcksOption)
    .action(async (topic: string, opts: ClientOptions & { key?: string; acks: AcksOption }) => {
      const producer = clientFrom(opts).producer({ acks: opts.acks });
      const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
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
          if (pending.length >= 1000) await flush();
        }
        await flush();
        // with acks=0 a send is only handed to the socket: disconnect confirms the broker took it in
        closed = true;
        await producer.disconnect();
        process.stderr.write(`sent ${sent} record(s) to '${topic}'\n`);
      } finally {
        if (!closed) await producer.disconnect().catch(() => undefined);
      }
    });
}
