import { InvalidArgumentError, type Command } from 'commander';
import type { ConsumedMessage, Consumer } from '@tributary/client';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';
import { NotFoundError, TimedOutError } from './exit-codes';
import { printJsonLine, withOutput, type OutputOptions } from './output';
import { progressBar } from './progress';
import { compileFormat, FORMAT_HELP, type FormattableRecord } from './record-format';
import { parseStartOffset, resolveStartOffsets, type StartOffset } from './start-offset';

interface ConsumeOptions extends ClientOptions, OutputOptions {
  fromBeginning?: boolean;
  offset?: StartOffset;
  partition?: number;
  maxMessages?: number;
  printKey?: boolean;
  printHeaders?: boolean;
  exitAtEnd?: boolean;
  format?: (r: FormattableRecord) => string;
  group?: string;
  timeout?: number;
}

export function registerConsumeCommand(program: Command): void {
  withOutput(
    withBrokers(
      program
        .command('consume <topic>')
        .description('print records of a topic (every partition, or one), one per line (JSON Lines with --output json); with --group as a group member'),
    ),
  )
    .option('--offset <where>', 'start at earliest, latest (default), N, -N (N before the end) or @timestamp (ms or ISO date)', parseStartOffset)
    .option('--from-beginning', 'same as --offset earliest')
    .option('--partition <n>', 'only this partition', parseIntOption('--partition', 0, 0x7fffffff))
    .option(
      '-g, --group <id>',
      'consume as a member of this group, committing as it goes; it starts at the committed offsets (--offset earliest|latest where none)',
    )
    .option('-e, --exit-at-end', 'exit once every partition is read to the end it had at start (at once on an empty topic)')
    .option('--max-messages <n>', 'exit after this many records', parseIntOption('--max-messages', 1, Number.MAX_SAFE_INTEGER))
    .option(
      '--timeout <ms>',
      'exit when no record came for this long (exit code 4 if --max-messages was not reached)',
      parseIntOption('--timeout', 1, 2 ** 31 - 1),
    )
    .option('-f, --format <format>', `print each record so: ${FORMAT_HELP}`, compileFormat)
    .option('--print-key', 'print key<TAB>value')
    .option('--print-headers', 'print name=value,...<TAB> before the value (after the key with --print-key)')
    .action(async (topic: string, opts: ConsumeOptions) => consume(topic, opts));
}

async function consume(topic: string, opts: ConsumeOptions): Promise<void> {
  const start: StartOffset = opts.offset ?? (opts.fromBeginning ? { kind: 'earliest' } : { kind: 'latest' });
  if (opts.group !== undefined) {
    if (opts.partition !== undefined) throw new InvalidArgumentError('--partition does not go with --group: the group assigns the partitions');
    if (start.kind !== 'earliest' && start.kind !== 'latest')
      throw new InvalidArgumentError('with --group, --offset is earliest or latest (where the group has no committed offset)');
  }
  const client = clientFrom(opts);
  const admin = client.admin();
  const positions = new Map<number, number>();
  let ends: Map<number, number>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const partitions = opts.partition === undefined ? offsets : offsets.filter((e) => e.partition === opts.partition);
    if (partitions.length === 0) throw new NotFoundError(`topic '${topic}' has no partition ${opts.partition}`);
    ends = new Map(partitions.map((p) => [p.partition, Number(p.high)]));
    if (opts.group !== undefined) {
      const committed = await admin.groups().fetchOffsets(
        opts.group,
        partitions.map((p) => ({ topic, partition: p.partition })),
      );
      for (const p of partitions) {
        const c = committed.find((x) => x.partition === p.partition)?.offset ?? -1;
        positions.set(p.partition, c >= 0 ? c : start.kind === 'earliest' ? Number(p.low) : Number(p.high));
      }
    } else for (const [p, o] of await resolveStartOffsets(admin, topic, partitions, start)) positions.set(p, o);
  } finally {
    await admin.disconnect();
  }
  // partitions still to read to the end they had at start (for --exit-at-end)
  const unread = new Set([...ends].filter(([p, end]) => (positions.get(p) ?? end) < end).map(([p]) => p));
  if (opts.exitAtEnd && unread.size === 0) {
    process.stderr.write(`reached the end of ${ends.size} partition(s) of '${topic}': 0 record(s)\n`);
    return;
  }

  const print = printerFor(topic, opts);
  const progress = progressBar(opts.maxMessages ?? 0, 'records', true);
  const consumer = client.consumer(opts.group === undefined ? { maxWaitMs: 500 } : { maxWaitMs: 500, groupId: opts.group, autoCommit: true });
  let count = 0;
  /** partitions this run printed records of: a group member commits only those, never a position it did not reach itself */
  const consumed = new Set<number>();
  let timedOut = false;
  let stopping = false;
  let idle: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve, reject) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      if (idle) clearTimeout(idle);
      progress.stop();
      const reached = new Map([...positions].filter(([p]) => consumed.has(p)));
      void finish(consumer, opts.group === undefined ? null : topic, reached).then(resolve, reject);
    };
    const armTimeout = () => {
      if (opts.timeout === undefined) return;
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        timedOut = true;
        stop();
      }, opts.timeout);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    consumer.on('crash', ({ error }) => reject(error));
    // with other members in the group, -e waits only for the partitions this member was given
    if (opts.exitAtEnd && opts.group !== undefined)
      consumer.on('group.join', ({ assignment }) => {
        const mine = new Set(assignment.filter((a) => a.topic === topic).map((a) => a.partition));
        for (const p of [...unread]) if (!mine.has(p)) unread.delete(p);
        if (unread.size === 0) stop();
      });
    armTimeout();
    const eachMessage = async ({ partition, message }: { partition: number; message: ConsumedMessage }) => {
      if (stopping) return;
      print(partition, message);
      positions.set(partition, message.offset + 1);
      consumed.add(partition);
      count++;
      progress.update(count);
      armTimeout();
      if (message.offset + 1 >= (ends.get(partition) ?? Infinity)) unread.delete(partition);
      if ((opts.maxMessages !== undefined && count >= opts.maxMessages) || (opts.exitAtEnd && unread.size === 0)) stop();
    };
    // a failed start (the brokers went away after the offsets were read) ends the command with
    // its error through the CLI's handler instead of crashing on an unhandled rejection
    const started =
      opts.group === undefined
        ? Promise.resolve(consumer.assign([...ends.keys()].map((partition) => ({ topic, partition, offset: positions.get(partition) }))))
        : consumer.subscribe({ topic, fromBeginning: start.kind === 'earliest' });
    started.then(() => consumer.run({ eachMessage })).catch(reject);
  });
  await done;
  if (opts.exitAtEnd) process.stderr.write(`reached the end of ${ends.size} partition(s) of '${topic}': ${count} record(s)\n`);
  if (timedOut && opts.maxMessages !== undefined && count < opts.maxMessages)
    throw new TimedOutError(`no record for ${opts.timeout} ms: read ${count} of --max-messages ${opts.maxMessages}`);
}

/** A group member commits where it stopped (the last record printed + 1) before leaving, so the next run goes on from there. */
async function finish(consumer: Consumer, groupTopic: string | null, positions: Map<number, number>): Promise<void> {
  try {
    if (groupTopic !== null) {
      const owned = new Set(
        consumer
          .assignment()
          .filter((a) => a.topic === groupTopic)
          .map((a) => a.partition),
      );
      const offsets = [...positions].filter(([p]) => owned.has(p)).map(([partition, offset]) => ({ topic: groupTopic, partition, offset }));
      if (offsets.length > 0) await consumer.commitOffsets(offsets);
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

function printerFor(topic: string, opts: ConsumeOptions): (partition: number, m: ConsumedMessage) => void {
  if (opts.output === 'json')
    return (partition, m) =>
      printJsonLine({
        topic,
        partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key: m.key?.toString() ?? null,
        value: m.value?.toString() ?? null,
        headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v.toString()])),
      });
  const format = opts.format;
  if (format) return (partition, m) => process.stdout.write(format({ topic, partition, ...m }));
  return (_partition, m) => {
    const key = opts.printKey ? `${m.key?.toString() ?? ''}\t` : '';
    const headers = opts.printHeaders
      ? `${Object.entries(m.headers)
          .map(([k, v]) => `${k}=${v.toString()}`)
          .join(',')}\t`
      : '';
    process.stdout.write(`${key}${headers}${m.value?.toString() ?? ''}\n`);
  };
}
