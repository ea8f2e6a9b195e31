#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
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
import { registerQuotaCommands } from './commands/quotas';
import { registerUserCommands } from './commands/users';
import { registerAclCommands } from './commands/acls';
import { registerCompletionCommand } from './commands/completion';
import { exitCodeOf, installExitCodes } from './commands/exit-codes';

// The CLI produces and consumes (and benchmarks): its CRCs use the native implementation too.
installNativeCrc32c();

const program = new Command();
program.name('tributary').description('Tributary: a Kafka-style commit log on Redis and WebSockets').version('0.1.0');
installExitCodes(program);
registerClusterCommands(program);
registerBenchCommand(program);
registerTopicCommands(program);
registerProduceCommand(program);
registerConsumeCommand(program);
registerGroupCommands(program);
registerPartitionCommands(program);
registerBrokerCommands(program);
registerJobCommands(program);
registerQuotaCommands(program);
registerUserCommands(program);
registerAclCommands(program);
// last: it reads the commands registered above
registerCompletionCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const code = exitCodeOf(err);
  // commander has printed its own usage message (or the help) already; an InvalidArgumentError
  // thrown by an action (an option checked against others or the cluster) has not
  if (!(err instanceof CommanderError) || err instanceof InvalidArgumentError)
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(code);
});
