import type { Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { printTable } from './topics';
import { NotFoundError } from './exit-codes';
import { printJson, withOutput, type OutputOptions } from './output';
import { registerResetOffsetsCommand } from './reset-offsets';

export function registerGroupCommands(program: Command): void {
  const groups = program.command('groups').description('list, describe and delete consumer groups, reset their offsets');

  withOutput(withBrokers(groups.command('list').description('list consumer groups with their state and coordinator'))).action(
    async (opts: ClientOptions & OutputOptions) => {
      const admin = clientFrom(opts).admin();
      try {
        const listed = await admin.groups().listGroups();
        if (opts.output === 'json') return printJson(listed);
        printTable(
          ['group', 'state', 'coordinator'],
          listed.map((g) => [g.groupId, g.state, g.coordinatorId < 0 ? '-' : String(g.coordinatorId)]),
        );
      } finally {
        await admin.disconnect();
      }
    },
  );

  withOutput(withBrokers(groups.command('describe <group>').description('state, members, assignment and lag per partition')))
    .option('--members', 'list the members (id, client id, subscribed topics, partitions) instead of the partitions')
    .action(async (groupId: string, opts: ClientOptions & OutputOptions & { members?: boolean }) => {
      const admin = clientFrom(opts).admin();
      try {
        const g = admin.groups();
        const [described] = await g.describeGroups([groupId]);
        if (!described || described.state === 'Dead') throw new NotFoundError(`group '${groupId}' does not exist`);
        if (opts.members) {
          const members = described.members.map((m) => ({
            memberId: m.memberId,
            clientId: m.clientId,
            topics: m.topics,
            partitions: m.assignment.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)),
          }));
          if (opts.output === 'json') return printJson({ groupId, state: described.state, generationId: described.generationId, members });
          process.stdout.write(`group: ${groupId}  state: ${described.state}  generation: ${described.generationId}  members: ${members.length}\n`);
          printTable(
            ['member', 'client', 'topics', 'partitions'],
            members.map((m) => [m.memberId, m.clientId, m.topics.join(',') || '-', m.partitions.join(',') || '-']),
          );
          return;
        }
        const lag = await g.groupLag(groupId);
        if (opts.output === 'json') {
          const total = lag.reduce((s, l) => s + l.lag, 0);
          return printJson({ ...described, partitions: lag, totalLag: total });
        }
        process.stdout.write(
          `group: ${groupId}  state: ${described.state}  generation: ${described.generationId}  assignor: ${described.assignor || '-'}  coordinator: ${described.coordinatorId}  members: ${described.members.length}\n`,
        );
        const ownerOf = new Map<string, string>();
        for (const m of described.members) for (const t of m.assignment) for (const p of t.partitions) ownerOf.set(`${t.topic}:${p}`, m.memberId);
        printTable(
          ['topic', 'partition', 'committed', 'end', 'lag', 'member'],
          lag.map((l) => [
            l.topic,
            String(l.partition),
            l.committedOffset < 0 ? '-' : String(l.committedOffset),
            String(l.highWatermark),
            String(l.lag),
            ownerOf.get(`${l.topic}:${l.partition}`) ?? '-',
          ]),
        );
        const total = lag.reduce((s, l) => s + l.lag, 0);
        process.stdout.write(`total lag: ${total}\n`);
      } finally {
        await admin.disconnect();
      }
    });

  registerResetOffsetsCommand(groups);

  withBrokers(
    groups.command('delete <group...>').description('delete groups with no live members: their state and committed offsets (refused while members are live)'),
  ).action(async (groupIds: string[], opts: ClientOptions) => {
    const admin = clientFrom(opts).admin();
    try {
      for (const groupId of groupIds) {
        await admin.groups().deleteGroups([groupId]);
        process.stdout.write(`deleted group '${groupId}'\n`);
      }
    } finally {
      await admin.disconnect();
    }
  });
}
