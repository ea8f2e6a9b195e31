import type { Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';
import { waitWithProgress } from './job-progress';
import { printJson, withOutput, type OutputOptions } from './output';
import { printTable } from './table';

export function registerBrokerCommands(program: Command): void {
  const brokers = program.command('brokers').description('list brokers, take brokers out of the cluster');

  withOutput(
    withBrokers(
      brokers
        .command('list')
        .description('every broker: id, address, rack, controller, partitions led and followed, live (replicas on a dead broker show too)'),
    ),
  ).action(async (opts: ClientOptions & OutputOptions) => {
    const admin = clientFrom(opts).admin();
    try {
      const [cluster, meta] = await Promise.all([admin.describeCluster(), admin.fetchTopicMetadata()]);
      const partitions = meta.topics.flatMap((t) => t.partitions);
      const ids = new Set([...cluster.brokers.map((b) => b.id), ...partitions.flatMap((p) => p.replicas)]);
      const rows = [...ids]
        .sort((a, b) => a - b)
        .map((id) => {
          const info = cluster.brokers.find((b) => b.id === id);
          const rack = (info as { rack?: string } | undefined)?.rack ?? null;
          return {
            id,
            address: info?.url ?? null,
            rack,
            controller: cluster.controller === id,
            leaderOf: partitions.filter((p) => p.leader === id).length,
            followerOf: partitions.filter((p) => p.leader !== id && p.replicas.includes(id)).length,
            live: info !== undefined,
          };
        });
      if (opts.output === 'json') return printJson({ clusterId: cluster.clusterId, controller: cluster.controller, brokers: rows });
      printTable(
        ['id', 'address', 'rack', 'controller', 'leads', 'follows', 'live'],
        rows.map((r) => [
          String(r.id),
          r.address ?? '-',
          r.rack ?? '-',
          r.controller ? 'yes' : '',
          String(r.leaderOf),
          String(r.followerOf),
          r.live ? 'yes' : 'no',
        ]),
      );
    } finally {
      await admin.disconnect();
    }
  });

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
