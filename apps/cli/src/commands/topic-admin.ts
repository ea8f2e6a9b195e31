import { InvalidArgumentError, type Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';
import { printTable } from './table';

function collectConfig(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`--config takes name=value, got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `topics describe-config | alter | add-partitions | delete-records`: changing a live topic. */
export function registerTopicAdminCommands(topics: Command): void {
  withBrokers(
    topics.command('describe-config <topic>').description('every config of a topic: value, and whether the topic sets it or the default applies'),
  ).action(async (topic: string, opts: ClientOptions) => {
    const admin = clientFrom(opts).admin();
    try {
      const { topics: described } = await admin.describeConfigs({ topics: [topic] });
      printTable(
        ['config', 'value', 'source'],
        described[0].configs.map((c) => [c.name, c.value, c.source]),
      );
    } finally {
      await admin.disconnect();
    }
  });

  withBrokers(topics.command('alter <topic>').description('set topic configs, or return them to the default; brokers apply them without restart'))
    .option('--config <name=value>', 'config to set (repeatable), e.g. retention.ms=60000', collectConfig, {})
    .option('--delete-config <name>', 'config to return to its default (repeatable)', collect, [])
    .action(async (topic: string, opts: ClientOptions & { config: Record<string, string>; deleteConfig: string[] }) => {
      if (Object.keys(opts.config).length === 0 && opts.deleteConfig.length === 0)
        throw new InvalidArgumentError('give at least one --config or --delete-config');
      const admin = clientFrom(opts).admin();
      try {
        await admin.alterConfigs({ topics: [{ topic, set: opts.config, delete: opts.deleteConfig }] });
        const changes = [...Object.entries(opts.config).map(([k, v]) => `${k}=${v}`), ...opts.deleteConfig.map((k) => `${k} (default)`)];
        process.stdout.write(`altered topic '${topic}': ${changes.join(', ')}\n`);
      } finally {
        await admin.disconnect();
      }
    });

  withBrokers(topics.command('add-partitions <topic>').description('grow a topic to a new total partition count (keyed records map with the new count)'))
    .requiredOption('--count <n>', 'the new total number of partitions', parseIntOption('--count', 1, 100_000))
    .action(async (topic: string, opts: ClientOptions & { count: number }) => {
      const admin = clientFrom(opts).admin();
      try {
        await admin.createPartitions({ topicPartitions: [{ topic, count: opts.count }] });
        process.stdout.write(`topic '${topic}' now has ${opts.count} partition(s)\n`);
      } finally {
        await admin.disconnect();
      }
    });

  withBrokers(
    topics.command('delete-records <topic>').description("delete a partition's records below an offset on every replica (moves its log start offset)"),
  )
    .requiredOption('--partition <n>', 'partition', parseIntOption('--partition', 0, 0x7fffffff))
    .requiredOption(
      '--offset <n>',
      'records below this offset are deleted; -1: up to the high watermark',
      parseIntOption('--offset', -1, Number.MAX_SAFE_INTEGER),
    )
    .action(async (topic: string, opts: ClientOptions & { partition: number; offset: number }) => {
      const admin = clientFrom(opts).admin();
      try {
        const [result] = await admin.deleteRecords({ topic, partitions: [{ partition: opts.partition, offset: opts.offset }] });
        process.stdout.write(`${topic}-${result.partition}: low watermark is now ${result.lowWatermark}\n`);
      } finally {
        await admin.disconnect();
      }
    });
}
