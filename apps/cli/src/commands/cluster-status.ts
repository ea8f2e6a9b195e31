import type { Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { printTable } from './topics';

export function registerClusterStatusCommand(cluster: Command): void {
  withBrokers(
    cluster
      .command('status')
      .description('brokers (live, controller), under-replicated, offline and non-preferred-leader partitions, reassignments and running jobs'),
  ).action(async (opts: ClientOptions) => {
    const admin = clientFrom(opts).admin();
    try {
      const description = await admin.describeCluster();
      const meta = await admin.fetchTopicMetadata();
      const live = new Set(description.brokers.map((b) => b.id));
      const out = (s: string) => process.stdout.write(`${s}\n`);
      out(`cluster ${description.clusterId}: ${description.brokers.length} live broker(s), controller ${description.controller ?? 'none'}`);
      printTable(
        ['broker', 'address', 'controller', 'leads', 'replicas'],
        description.brokers.map((b) => {
          const all = meta.topics.flatMap((t) => t.partitions);
          return [
            String(b.id),
            b.url,
            b.id === description.controller ? 'yes' : '',
            String(all.filter((p) => p.leader === b.id).length),
            String(all.filter((p) => p.replicas.includes(b.id)).length),
          ];
        }),
      );
      const rows = meta.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, ...p })));
      const section = (title: string, list: typeof rows) => {
        out(`\n${title}: ${list.length}`);
        if (list.length > 0)
          printTable(
            ['topic', 'partition', 'leader', 'replicas', 'isr'],
            list.map((p) => [p.topic, String(p.partition), String(p.leader), p.replicas.join(','), p.isr.join(',')]),
          );
      };
      section(
        'offline partitions (no live leader)',
        rows.filter((p) => p.leader < 0 || !live.has(p.leader)),
      );
      section(
        'under-replicated partitions (ISR smaller than the replica set)',
        rows.filter((p) => p.isr.length < p.replicas.length),
      );
      section(
        'partitions not led by their preferred replica',
        rows.filter((p) => p.leader >= 0 && p.leader !== p.replicas[0]),
      );
      const reassigning = await admin.listPartitionReassignments();
      const moving = reassigning.topics.flatMap((t) =>
        t.partitions.map((p) => [t.topic, String(p.partition), p.replicas.join(','), p.addingReplicas.join(','), p.removingReplicas.join(',')]),
      );
      out(`\nreassignments in progress: ${moving.length}`);
      if (moving.length > 0) printTable(['topic', 'partition', 'replicas', 'adding', 'removing'], moving);
      const jobs = (await admin.listJobs({ limit: 100 })).filter((j) => j.state !== 'completed' && j.state !== 'failed');
      out(`\nrunning jobs: ${jobs.length}`);
      if (jobs.length > 0)
        printTable(
          ['id', 'type', 'state', 'progress'],
          jobs.map((j) => [
            j.id,
            j.type,
            j.state,
            j.progress ? `${j.progress.step} ${j.progress.done}/${j.progress.total}${j.progress.message ? ` ${j.progress.message}` : ''}` : '',
          ]),
        );
    } finally {
      await admin.disconnect();
    }
  });
}
