import { InvalidArgumentError, type Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { waitWithProgress } from './job-progress';
import { parseIntOption } from './options';

function collectConfig(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`--config takes name=value, got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

export function registerTopicCommands(program: Command): void {
  const topics = program.command('topics').description('create, list, describe and delete topics');

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

  withBrokers(
    topics
      .command('delete <topic>')
      .description("delete a topic: gone from metadata at once; a job then removes every replica's files, its streams and its groups' offsets"),
  )
    .option('--wait', 'wait for the deletion job, showing its progress; exit non-zero if it fails')
    .action(async (topic: string, opts: ClientOptions & { wait?: boolean }) => {
      const admin = clientFrom(opts).admin();
      try {
        const [deleted] = await admin.deleteTopics({ topics: [topic] });
        process.stdout.write(`deleted topic '${topic}'${deleted?.topicId ? ` (id ${deleted.topicId})` : ''}; deletion job ${deleted?.jobId ?? '-'}\n`);
        if (opts.wait && deleted?.jobId) {
          await waitWithProgress(admin, deleted.jobId);
          process.stdout.write(`deletion job ${deleted.jobId} completed: the name '${topic}' can be created again\n`);
        }
      } finally {
        await admin.disconnect();
      }
    });

  withBrokers(topics.command('list').description('list topics')).action(async (opts: ClientOptions) => {
    const admin = clientFrom(opts).admin();
    try {
      for (const name of (await admin.listTopics()).sort()) process.stdout.write(`${name}\n`);
    } finally {
      await admin.disconnect();
    }
  });

  withBrokers(topics.command('describe <topic>').description('partitions with leader, leader epoch, replicas and ISR')).action(
    async (topic: string, opts: ClientOptions) => {
      const admin = clientFrom(opts).admin();
      try {
        const [meta, offsets] = await Promise.all([admin.fetchTopicMetadata({ topics: [topic] }), admin.fetchTopicOffsets(topic)]);
        const t = meta.topics[0];
        const configs = Object.entries(t.configs)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        process.stdout.write(`topic: ${t.name}  id: ${t.topicId ?? '-'}  partitions: ${t.partitions.length}${configs ? `  configs: ${configs}` : ''}\n`);
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
