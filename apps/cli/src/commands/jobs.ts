import type { Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { describeJobLines } from './job-progress';
import { parseIntOption } from './options';
import { printTable } from './topics';

export function registerJobCommands(program: Command): void {
  const jobs = program.command('jobs').description('list and describe admin jobs (topic deletion, reassignment...)');

  withBrokers(jobs.command('list').description('admin jobs, newest first, with state and progress'))
    .option('--limit <n>', 'at most this many', parseIntOption('--limit', 1, 1000), 100)
    .action(async (opts: ClientOptions & { limit: number }) => {
      const admin = clientFrom(opts).admin();
      try {
        const listed = await admin.listJobs({ limit: opts.limit });
        printTable(
          ['id', 'type', 'state', 'progress', 'attempts', 'created'],
          listed.map((j) => [
            j.id,
            j.type,
            j.state,
            j.progress ? `${j.progress.done}/${j.progress.total} ${j.progress.step}` : '-',
            `${j.attemptsMade}/${j.maxAttempts}`,
            new Date(j.createdAt).toISOString(),
          ]),
        );
      } finally {
        await admin.disconnect();
      }
    });

  withBrokers(jobs.command('describe <id>').description('state, progress, error, attempts, arguments and times of one job')).action(
    async (id: string, opts: ClientOptions) => {
      const admin = clientFrom(opts).admin();
      try {
        const job = await admin.describeJob(id);
        for (const line of describeJobLines(job)) process.stdout.write(`${line}\n`);
        // a failed job is a failure of this command too, for scripts (1: an error, not a usage error)
        if (job.state === 'failed') process.exitCode = 1;
      } finally {
        await admin.disconnect();
      }
    },
  );
}
