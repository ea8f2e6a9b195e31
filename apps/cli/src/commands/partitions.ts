import { InvalidArgumentError, type Command } from 'commander';
import { ErrorCode } from '@tributary/client';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';
import { printTable } from './topics';
import { waitWithProgress } from './job-progress';

function parseReplicas(value: string): number[] {
  const ids = value.split(',').map((s) => s.trim());
  if (ids.length === 0 || ids.some((s) => !/^\d+$/.test(s)))
    throw new InvalidArgumentError(`--replicas takes broker ids separated by commas, e.g. 2,3,4; got '${value}'`);
  const out = ids.map(Number);
  if (new Set(out).size !== out.length) throw new InvalidArgumentError(`--replicas names a broker twice: '${value}'`);
  return out;
}

export function registerPartitionCommands(program: Command): void {
  const partitions = program.command('partitions').description('reassign partitions and elect preferred leaders');

  withBrokers(
    partitions.command('reassign').description("move a partition to a new replica set (Kafka's KIP-455: the new replicas catch up, then the old ones leave)"),
  )
    .requiredOption('--topic <topic>', 'topic')
    .requiredOption('--partition <n>', 'partition', parseIntOption('--partition', 0, 0x7fffffff))
    .requiredOption('--replicas <ids>', 'target broker ids, preferred leader first, e.g. 2,3,4', parseReplicas)
    .option('--wait', "wait until the reassignment's job completed, with its progress")
    .action(async (opts: ClientOptions & { topic: string; partition: number; replicas: number[]; wait?: boolean }) => {
      const admin = clientFrom(opts).admin();
      try {
        const { jobId } = await admin.alterPartitionReassignments({
          topics: [{ topic: opts.topic, partitionAssignment: [{ partition: opts.partition, replicas: opts.replicas }] }],
        });
        process.stdout.write(`reassigning ${opts.topic}-${opts.partition} to ${opts.replicas.join(',')}${jobId ? ` (job ${jobId})` : ''}\n`);
        if (opts.wait && jobId) {
          await waitWithProgress(admin, jobId);
          const meta = await admin.fetchTopicMetadata({ topics: [opts.topic] });
          const p = meta.topics[0].partitions.find((x) => x.partition === opts.partition);
          process.stdout.write(`done: replicas ${p?.replicas.join(',')}, leader ${p?.leader}, ISR ${p?.isr.join(',')}\n`);
        }
      } finally {
        await admin.disconnect();
      }
    });

  withBrokers(partitions.command('list-reassignments').description('partitions whose replicas are being moved')).action(async (opts: ClientOptions) => {
    const admin = clientFrom(opts).admin();
    try {
      const r = await admin.listPartitionReassignments();
      const rows = r.topics.flatMap((t) =>
        t.partitions.map((p) => [t.topic, p.partition, p.replicas.join(','), p.addingReplicas.join(','), p.removingReplicas.join(',')].map(String)),
      );
      printTable(['topic', 'partition', 'replicas', 'adding', 'removing'], rows);
    } finally {
      await admin.disconnect();
    }
  });

  withBrokers(
    partitions.command('elect-leaders').description("move leadership back to each partition's preferred (first) replica where it is live and in the ISR"),
  )
    .option('--topic <topic>', 'only this topic (default: every topic)')
    .action(async (opts: ClientOptions & { topic?: string }) => {
      const admin = clientFrom(opts).admin();
      try {
        let wanted: Array<{ topic: string; partition: number }> | undefined;
        if (opts.topic) {
          const meta = await admin.fetchTopicMetadata({ topics: [opts.topic] });
          wanted = meta.topics[0].partitions.map((p) => ({ topic: opts.topic as string, partition: p.partition }));
        }
        const results = await admin.electLeaders(wanted ? { partitions: wanted } : {});
        const name = (code: number, message?: string) => (code === ErrorCode.NONE ? 'elected' : (message ?? String(code)));
        printTable(
          ['topic', 'partition', 'leader', 'result'],
          results.map((r) => [
            r.topic,
            String(r.partition),
            String(r.leader),
            name(r.errorCode, r.errorCode === ErrorCode.ELECTION_NOT_NEEDED ? 'not needed' : r.errorMessage),
          ]),
        );
      } finally {
        await admin.disconnect();
      }
    });
}
