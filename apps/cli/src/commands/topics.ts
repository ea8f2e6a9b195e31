import { InvalidArgumentError, type Command } from 'commander';
import type { PartitionOffsets, TopicInfo } from '@tributary/client';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';
import { printJson, withOutput, type OutputOptions } from './output';

function collectConfig(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`--config takes name=value, got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

export function registerTopicCommands(program: Command): void {
  const topics = program.command('topics').description('create, list and describe topics');

  withBrokers(topics.command('create <topic>').description('create a topic'))
    .option('--partitions <n>', 'number of partitions', parseIntOption('--partitions', 1, 100_000), 1)
    .option('--replication-factor <n>', 'replicas per partition', parseIntOption('--replication-factor', 1, 100), 1)
    .option('--config <name=value>', 'topic config (repeatable), e.g. retention.ms=86400000', collectConfig, {})
    .action(async (topic: string, opts: ClientOptions & { partitions: number; replicationFactor: number; config: Record<string, string> }) => {
      const admin = clientFrom(opts).admin();
      try {
        await admin.createTopics({
          topics: [
            {
              topic,
              numPartitions: opts.partitions,
              replicationFactor: opts.replicationFactor,
              configEntries: Object.entries(opts.config).map(([name, value]) => ({ name, value })),
            },
          ],
        });
        process.stdout.write(`created topic '${topic}' with ${opts.partitions} partition(s), replication factor ${opts.replicationFactor}\n`);
      } finally {
        await admin.disconnect();
      }
    });

  withOutput(withBrokers(topics.command('list').description('list topics'))).action(async (opts: ClientOptions & OutputOptions) => {
    const admin = clientFrom(opts).admin();
    try {
      const names = (await admin.listTopics()).sort();
      if (opts.output === 'json') return printJson(names);
      for (const name of names) process.stdout.write(`${name}\n`);
    } finally {
      await admin.disconnect();
    }
  });

  withOutput(withBrokers(topics.command('describe <topic>').description('partitions with leader, leader epoch, replicas and ISR'))).action(
    async (topic: string, opts: ClientOptions & OutputOptions) => {
      const admin = clientFrom(opts).admin();
      try {
        const [meta, offsets] = await Promise.all([admin.fetchTopicMetadata({ topics: [topic] }), admin.fetchTopicOffsets(topic)]);
        const t = meta.topics[0];
        if (opts.output === 'json') return printJson(describedTopic(t, offsets));
        const configs = Object.entries(t.configs)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        process.stdout.write(`topic: ${t.name}  partitions: ${t.partitions.length}${configs ? `  configs: ${configs}` : ''}\n`);
        const rows = t.partitions.map((p) => {
          const o = offsets.find((x) => x.partition === p.partition);
          return [p.partition, p.leader, p.leaderEpoch, p.replicas.join(','), p.isr.join(','), o?.low ?? '', o?.high ?? ''].map(String);
        });
        printTable(['partition', 'leader', 'epoch', 'replicas', 'isr', 'low', 'high'], rows);
      } finally {
        await admin.disconnect();
      }
    },
  );
}

/** `topics describe --output json`: the topic, its configs, and per partition leader, epoch, replicas, ISR and offsets. */
function describedTopic(t: TopicInfo, offsets: PartitionOffsets[]) {
  return {
    name: t.name,
    configs: t.configs,
    partitions: t.partitions.map((p) => {
      const o = offsets.find((x) => x.partition === p.partition);
      return {
        partition: p.partition,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicas,
        isr: p.isr,
        lowOffset: o ? Number(o.low) : null,
        highOffset: o ? Number(o.high) : null,
      };
    }),
  };
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(header)}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}
