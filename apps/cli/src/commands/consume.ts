import type { Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';

interface ConsumeOptions extends ClientOptions {
  fromBeginning?: boolean;
  partition?: number;
  maxMessages?: number;
  printKey?: boolean;
}

export function registerConsumeCommand(program: Command): void {
  withBrokers(program.command('consume <topic>').description('print records of a topic (every partition, or one), one per line'))
    .option('--from-beginning', 'start at the earliest offset instead of the end')
    .option('--partition <n>', 'only this partition', parseIntOption('--partition', 0, 0x7fffffff))
    .option('--max-messages <n>', 'exit after this many records', parseIntOption('--max-messages', 1, Number.MAX_SAFE_INTEGER))
    .option('--print-key', 'print key<TAB>value')
    .action(async (topic: string, opts: ConsumeOptions) => {
      const client = clientFrom(opts);
      const admin = client.admin();
      const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
      const partitions = opts.partition === undefined ? ends : ends.filter((e) => e.partition === opts.partition);
      if (partitions.length === 0) throw new Error(`topic '${topic}' has no partition ${opts.partition}`);
      const consumer = client.consumer({ maxWaitMs: 500 });
      consumer.assign(partitions.map((p) => ({ topic, partition: p.partition, offset: opts.fromBeginning ? Number(p.low) : Number(p.high) })));
      let count = 0;
      const done = new Promise<void>((resolve, reject) => {
        const stop = () => void consumer.disconnect().then(resolve, resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // a failed start (the brokers went away after the offsets were read) ends the command with
        // its error through the CLI's handler instead of crashing on an unhandled rejection
        consumer
          .run({
            eachMessage: async ({ message }) => {
              if (opts.maxMessages !== undefined && count >= opts.maxMessages) return;
              const value = message.value?.toString() ?? '';
              process.stdout.write(opts.printKey ? `${message.key?.toString() ?? ''}\t${value}\n` : `${value}\n`);
              count++;
              if (opts.maxMessages !== undefined && count >= opts.maxMessages) stop();
            },
          })
          .catch(reject);
      });
      await done;
    });
}
