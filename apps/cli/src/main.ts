#!/usr/bin/env node
import { Command } from 'commander';
import { installNativeCrc32c } from '@tributary/native-crc32c';
import { registerClusterCommands } from './commands/cluster-up';
import { registerBenchCommand } from './commands/bench';
import { registerConsumeCommand } from './commands/consume';
import { registerProduceCommand } from './commands/produce';
import { registerTopicCommands } from './commands/topics';
import { registerGroupCommands } from './commands/groups';
import { registerPartitionCommands } from './commands/partitions';
import { registerBrokerCommands } from './commands/brokers';
import { registerJobCommands } from './commands/jobs';

// The CLI produces and consumes (and benchmarks): its CRCs use the native implementation too.
installNativeCrc32c();

const program = new Command();
program.name('tributary').description('Tributary: a Kafka-style commit log on Redis and WebSockets').version('0.1.0');
registerClusterCommands(program);
registerBenchCommand(program);
registerTopicCommands(program);
registerProduceCommand(program);
registerConsumeCommand(program);
registerGroupCommands(program);
registerPartitionCommands(program);
registerBrokerCommands(program);
registerJobCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
