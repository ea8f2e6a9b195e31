import * as fs from 'fs';
import * as readline from 'readline';
import { InvalidArgumentError, type Command } from 'commander';
import { TributaryError, type AcksOption, type Admin, type Message } from '@tributary/client';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';
import { progressBar } from './progress';

interface ProduceOptions extends ClientOptions {
  key?: string;
  keyDelimiter?: string;
  header: Record<string, string>;
  partition?: number;
  acks: AcksOption;
  file?: string;
  maxRequestSize?: number;
}

function parseAcks(value: string): AcksOption {
  if (value === 'all' || value === '-1') return 'all';
  if (value === '1') return 1;
  if (value === '0') return 0;
  throw new InvalidArgumentError(`--acks must be all, 1 or 0, got '${value}'`);
}

function collectHeader(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`--header takes name=value, got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Records per send, and the share of the size limit one send may fill (a send becomes one batch per partition). */
const BATCH_RECORDS = 1000;
/** what a record adds to its batch beyond key, value and headers (varints, attributes, deltas), generously */
const RECORD_OVERHEAD = 32;
/** a batch's own header */
const BATCH_OVERHEAD = 61;

export function registerProduceCommand(program: Command): void {
  withBrokers(program.command('produce <topic>').description('send each line of stdin (or of --file) as one record; a summary line on stderr'))
    .option('--file <path>', 'read the records from this file instead of stdin (a progress bar shows on a terminal)')
    .option('--key <key>', 'key for every record (records with one key keep their order)')
    .option('-K, --key-delimiter <delim>', 'split each line at the first <delim> into key and value (kcat -K); a line without it has no key')
    .option('-H, --header <name=value>', 'header on every record (repeatable)', collectHeader, {})
    .option('-p, --partition <n>', 'send every record to this partition', parseIntOption('--partition', 0, 0x7fffffff))
    .option('--acks <acks>', 'all, 1 or 0', parseAcks, 'all' as AcksOption)
    .option(
      '--max-request-size <bytes>',
      "largest record accepted, in bytes; default the topic's max.message.bytes",
      parseIntOption('--max-request-size', 1, 2 ** 31 - 1),
    )
    .action(async (topic: string, opts: ProduceOptions) => produce(topic, opts));
}

async function produce(topic: string, opts: ProduceOptions): Promise<void> {
  if (opts.key !== undefined && opts.keyDelimiter !== undefined) throw new InvalidArgumentError('--key and --key-delimiter do not go together');
  if (opts.keyDelimiter === '') throw new InvalidArgumentError('--key-delimiter must not be empty');
  // opened before connecting: a missing file fails at once, naming it
  const input = opts.file ? fs.createReadStream(opts.file) : process.stdin;
  if (opts.file) await new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject));
  const client = clientFrom(opts);
  const admin = client.admin();
  const limit = await limitFor(admin, topic, opts).finally(() => admin.disconnect());
  const size = inputSize(opts.file);
  const progress = progressBar(size, 'bytes');
  const producer = client.producer({ acks: opts.acks });
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  const startedAt = Date.now();
  const headerBytes = Object.entries(opts.header).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v) + 8, 0);
  let read = 0;
  let lineNo = 0;
  let pending: Message[] = [];
  let pendingBytes = 0;
  let sent = 0;
  let sentBytes = 0;
  const partitions = new Set<number>();
  const flush = async () => {
    if (pending.length === 0) return;
    const messages = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    const results = await producer.send({ topic, messages });
    for (const r of results) partitions.add(r.partition);
    sent += messages.length;
    sentBytes += bytes;
  };
  let closed = false;
  try {
    for await (const line of rl) {
      lineNo++;
      read += Buffer.byteLength(line) + 1;
      progress.update(read);
      const message = toMessage(line, opts);
      const bytes = Buffer.byteLength(message.value as string) + (message.key ? Buffer.byteLength(message.key) : 0) + headerBytes;
      if (bytes + RECORD_OVERHEAD + BATCH_OVERHEAD > limit.bytes) {
        // what came before is sent, and said so; nothing after this line is
        await flush();
        throw new Error(
          `line ${lineNo}: a record of ${bytes} bytes does not fit ${limit.from} (${limit.bytes} bytes); ` +
            `${sent} record(s) sent before it (lines 1-${lineNo - 1}), line ${lineNo} and the rest were not sent`,
        );
      }
      if (pending.length >= BATCH_RECORDS || pendingBytes + bytes + RECORD_OVERHEAD > (limit.bytes - BATCH_OVERHEAD) / 2) await flush();
      pending.push(message);
      pendingBytes += bytes;
    }
    await flush();
    progress.stop();
    // with acks=0 a send is only handed to the socket: disconnect confirms the broker took it in
    closed = true;
    await producer.disconnect();
    const ms = Date.now() - startedAt;
    const parts = [...partitions].sort((a, b) => a - b).join(',') || '-';
    process.stderr.write(`sent ${sent} record(s) to '${topic}': ${sentBytes} bytes, partition(s) ${parts}, ${ms} ms\n`);
  } catch (err) {
    // a send that failed: say how far the input got through
    if (err instanceof Error && !/^line \d+:/.test(err.message) && sent > 0)
      err.message = `${err.message} (${sent} record(s) were sent before the failure, lines 1-${sent}: one record per line)`;
    throw err;
  } finally {
    progress.stop();
    if (!closed) await producer.disconnect().catch(() => undefined);
  }
}

function toMessage(line: string, opts: ProduceOptions): Message {
  let key: string | null = opts.key ?? null;
  let value = line;
  if (opts.keyDelimiter !== undefined) {
    const at = line.indexOf(opts.keyDelimiter);
    if (at >= 0) {
      key = line.slice(0, at);
      value = line.slice(at + opts.keyDelimiter.length);
    }
  }
  return {
    key,
    value,
    ...(Object.keys(opts.header).length > 0 ? { headers: opts.header } : {}),
    ...(opts.partition === undefined ? {} : { partition: opts.partition }),
  };
}

/** The size limit: --max-request-size, else the topic's max.message.bytes (its batches may not be larger). */
async function limitFor(admin: Admin, topic: string, opts: ProduceOptions): Promise<{ bytes: number; from: string }> {
  if (opts.maxRequestSize !== undefined) return { bytes: opts.maxRequestSize, from: '--max-request-size' };
  const value = Number(await maxMessageBytes(admin, topic));
  if (opts.partition !== undefined) {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = meta.topics[0]?.partitions.length ?? 0;
    if (opts.partition >= count) throw new InvalidArgumentError(`--partition ${opts.partition}: topic '${topic}' has ${count} partition(s)`);
  }
  return Number.isSafeInteger(value) && value > 0
    ? { bytes: value, from: `topic '${topic}' max.message.bytes` }
    : { bytes: 1_048_588, from: 'the default max.message.bytes' };
}

/**
 * The topic's max.message.bytes from describeConfigs; a producer may hold write without
 * describe-configs (Kafka's console producer needs no more), so then from the configs set on the
 * topic that metadata carries, else undefined (the default applies).
 */
async function maxMessageBytes(admin: Admin, topic: string): Promise<string | undefined> {
  try {
    const { topics } = await admin.describeConfigs({ topics: [topic] });
    return topics[0]?.configs.find((c) => c.name === 'max.message.bytes')?.value;
  } catch (err) {
    if (!(err instanceof TributaryError) || err.type !== 'TOPIC_AUTHORIZATION_FAILED') throw err;
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    return meta.topics[0]?.configs?.['max.message.bytes'];
  }
}

/** Bytes to read, for the progress bar: the file's size, or stdin's when it is a redirected file; 0 when unknown (a pipe). */
function inputSize(file: string | undefined): number {
  try {
    const st = file ? fs.statSync(file) : fs.fstatSync(0);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}
