import type { Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';
import { waitWithProgress } from './job-progress';

export function registerBrokerCommands(program: Command): void {
  const brokers = program.command('brokers').description('take brokers out of the cluster');

  withBrokers(
    brokers
      .command('decommission <id>')
      .description('move every replica off a broker, spread evenly over the others (fewest replicas first); then it can be stopped'),
  )
    .option('--wait', 'wait until the decommission job completed (the broker holds no replica), with its progress')
    .action(async (idText: string, opts: ClientOptions & { wait?: boolean }) => {
      const id = parseIntOption('broker id', 0, 0x7fffffff)(idText);
      const admin = clientFrom(opts).admin();
      try {
        const { jobId, moves } = await admin.decommissionBroker(id);
        process.stdout.write(`decommissioning broker ${id}: ${moves.length} replica(s) to move${jobId ? ` (job ${jobId})` : ''}\n`);
        for (const m of moves) process.stdout.write(`  ${m.topic}-${m.partition}: ${m.from.join(',')} -> ${m.to.join(',')}\n`);
        if (!opts.wait || !jobId) return;
        await waitWithProgress(admin, jobId);
        const meta = await admin.fetchTopicMetadata();
        const left = meta.topics.flatMap((t) => t.partitions.filter((p) => p.replicas.includes(id)).map((p) => `${t.name}-${p.partition}`));
        if (left.length > 0) throw new Error(`broker ${id} still holds ${left.join(', ')} (another reassignment placed them there?)`);
        process.stdout.write(`broker ${id} holds no replica: it can be stopped\n`);
      } finally {
        await admin.disconnect();
      }
    });
}
