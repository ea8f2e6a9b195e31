import type { Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';
import { NotFoundError } from './exit-codes';
import { printJsonLine, withOutput, type OutputOptions } from './output';
import { progressBar } from './progress';

interface ConsumeOptions extends ClientOptions, OutputOptions {
  fromBeginning?: boolean;
  partition?: number;
  maxMessages?: number;
  printKey?: boolean;
}

export function registerConsumeCommand(program: Command): void {
  withOutput(
    withBrokers(
      program.command('consume <topic>').description('print records of a topic (every partition, or one), one per line (JSON Lines with --output json)'),
    ),
  )
    .option('--from-beginning', 'start at the earliest offset instead of the end')
    .option('--partition <n>', 'only this partition', parseIntOption('--partition', 0, 0x7fffffff))
    .option('--max-messages <n>', 'exit after this many records', parseIntOption('--max-messages', 1, Number.MAX_SAFE_INTEGER))
    .option('--print-key', 'print key<TAB>value')
    .action(async (topic: string, opts: ConsumeOptions) => {
      const client = clientFrom(opts);
      const admin = client.admin();
      const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
      const partitions = opts.partition === undefined ? ends : ends.filter((e) => e.partition === opts.partition);
      if (partitions.length === 0) throw new NotFoundError(`topic '${topic}' has no partition ${opts.partition}`);
      const progress = progressBar(opts.maxMessages ?? 0, 'records', true);
      const consumer = client.consumer({ maxWaitMs: 500 });
      consumer.assign(partitions.map((p) => ({ topic, partition: p.partition, offset: opts.fromBeginning ? Number(p.low) : Number(p.high) })));
      let count = 0;
      const done = new Promise<void>((resolve, reject) => {
        const stop = () => {
          progress.stop();
          void consumer.disconnect().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // a failed start (the brokers went away after the offsets were read) ends the command with
        // its error through the CLI's handler instead of crashing on an unhandled rejection
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              if (opts.maxMessages !== undefined && count >= opts.maxMessages) return;
              const value = message.value?.toString() ?? '';
              if (opts.output === 'json') {
                printJsonLine({
                  topic,
                  partition,
                  offset: message.offset,
                  timestamp: message.timestamp,
                  key: message.key?.toString() ?? null,
                  value: message.value?.toString() ?? null,
                  headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.toString()])),
                });
              } else process.stdout.write(opts.printKey ? `${message.key?.toString() ?? ''}\t${value}\n` : `${value}\n`);
              count++;
              progress.update(count);
              if (opts.maxMessages !== undefined && count >= opts.maxMessages) stop();
            },
          })
          .catch(reject);
      });
      await done;
    });
}
