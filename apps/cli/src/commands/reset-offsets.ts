import { InvalidArgumentError, type Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { NotFoundError } from './exit-codes';
import { parseIntOption } from './options';
import { printJson, withOutput, type OutputOptions } from './output';
import { printTable } from './table';

interface ResetOptions extends ClientOptions, OutputOptions {
  topic: string;
  partition?: number;
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: number;
  toDatetime?: string;
  shiftBy?: number;
  dryRun?: boolean;
}

/** `groups reset-offsets`: kafka-consumer-groups --reset-offsets, executed unless --dry-run. */
export function registerResetOffsetsCommand(groups: Command): void {
  withOutput(
    withBrokers(
      groups
        .command('reset-offsets <group>')
        .description("set a group's committed offsets on a topic (refused while the group has live members, as Kafka does); prints old and new"),
    ),
  )
    .requiredOption('--topic <topic>', 'the topic whose offsets to reset')
    .option('--partition <n>', 'only this partition', parseIntOption('--partition', 0, 0x7fffffff))
    .option('--to-earliest', 'to the log start offset')
    .option('--to-latest', 'to the end (skip everything there now)')
    .option('--to-offset <n>', 'to this offset (clamped to the log)', parseIntOption('--to-offset', 0, Number.MAX_SAFE_INTEGER))
    .option('--to-datetime <iso>', 'to the first record at or after this time, e.g. 2026-11-30T00:00:00Z')
    .option(
      '--shift-by <n>',
      'move the committed offset by n (negative: back), clamped to the log',
      parseIntOption('--shift-by', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    )
    .option('--dry-run', 'print what would change, change nothing')
    .action(async (groupId: string, opts: ResetOptions) => {
      const chosen = [opts.toEarliest, opts.toLatest, opts.toOffset, opts.toDatetime, opts.shiftBy].filter((x) => x !== undefined).length;
      if (chosen !== 1) throw new InvalidArgumentError('give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by');
      let datetime: number | undefined;
      if (opts.toDatetime !== undefined) {
        datetime = Date.parse(opts.toDatetime);
        if (!Number.isFinite(datetime) || datetime < 0) throw new InvalidArgumentError(`--to-datetime: '${opts.toDatetime}' is not an ISO date`);
      }
      const admin = clientFrom(opts).admin();
      try {
        const g = admin.groups();
        const [described] = await g.describeGroups([groupId]);
        const live = described?.members.length ?? 0;
        if (live > 0)
          throw new Error(
            `group '${groupId}' has ${live} live member(s) (state ${described?.state}): stop its consumers first; offsets are reset only on an empty group`,
          );
        const ends = await admin.fetchTopicOffsets(opts.topic);
        const partitions = opts.partition === undefined ? ends : ends.filter((e) => e.partition === opts.partition);
        if (partitions.length === 0) throw new NotFoundError(`topic '${opts.topic}' has no partition ${opts.partition}`);
        const committed = await g.fetchOffsets(
          groupId,
          partitions.map((p) => ({ topic: opts.topic, partition: p.partition })),
        );
        const byTime = datetime === undefined ? [] : await admin.fetchTopicOffsetsByTimestamp(opts.topic, datetime);
        const rows = partitions.map((p) => {
          const low = Number(p.low);
          const high = Number(p.high);
          const current = committed.find((c) => c.partition === p.partition)?.offset ?? -1;
          const wanted = opts.toEarliest
            ? low
            : opts.toLatest
              ? high
              : opts.toOffset !== undefined
                ? opts.toOffset
                : datetime !== undefined
                  ? (byTime.find((b) => b.partition === p.partition)?.offset ?? high)
                  : (current < 0 ? low : current) + (opts.shiftBy ?? 0);
          return { topic: opts.topic, partition: p.partition, current, next: Math.min(high, Math.max(low, wanted)) };
        });
        if (!opts.dryRun)
          await g.alterOffsets(
            groupId,
            rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.next })),
          );
        if (opts.output === 'json') return printJson({ group: groupId, dryRun: Boolean(opts.dryRun), partitions: rows });
        printTable(
          ['topic', 'partition', 'current', 'new'],
          rows.map((r) => [r.topic, String(r.partition), r.current < 0 ? '-' : String(r.current), String(r.next)]),
        );
        process.stdout.write(opts.dryRun ? 'dry run: nothing changed\n' : `group '${groupId}': ${rows.length} partition(s) reset\n`);
      } finally {
        await admin.disconnect();
      }
    });
}
