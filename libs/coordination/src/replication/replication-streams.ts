import type { Buffer } from 'buffer';
import type Redis from 'ioredis';
import type { Keys } from '../keys';

/** One batch (or several) as the leader appended them, read from a partition's stream. */
export interface ReplicationEntry {
  topic: string;
  partition: number;
  /** stream entry id, the follower's cursor */
  id: string;
  leaderEpoch: number;
  baseOffset: number;
  highWatermark: number;
  /** the leader's log start offset when it wrote the entry (followers move theirs up to it); absent in older entries */
  logStartOffset?: number;
  /** empty for an entry that only announces a new log start offset */
  data: Buffer;
}

/** A follower's report of how far its log reaches. */
export interface ReplicaAck {
  id: string;
  topic: string;
  partition: number;
  replicaId: number;
  logEndOffset: number;
  leaderEpoch: number;
  /** the follower's broker epoch (KIP-380), -1 when the ack carries none: the leader ignores acks from an older incarnation */
  brokerEpoch: number;
}

export interface StreamCursor {
  topic: string;
  partition: number;
  /** read entries after this id */
  after: string;
}

/** What a leader and a follower write: appends, acks, and the cursors to start reading from. */
export interface ReplicationStreamWriter {
  append(
    topic: string,
    partition: number,
    leaderEpoch: number,
    baseOffset: number,
    highWatermark: number,
    data: Buffer,
    logStartOffset?: number,
  ): Promise<unknown>;
  lastId(topic: string, partition: number): Promise<string>;
  reportAcks(acks: ReadonlyArray<Omit<ReplicaAck, 'id'> & { leaderId: number }>): Promise<void>;
  lastAckId(leaderId: number): Promise<string>;
}

/**
 * Blocking reads of the streams, on a connection of its own (a blocked connection can do
 * nothing else); close() ends any read in progress.
 */
export interface ReplicationStreamReader {
  read(cursors: readonly StreamCursor[], blockMs: number, count: number): Promise<ReplicationEntry[]>;
  readAcks(leaderId: number, after: string, blockMs: number): Promise<ReplicaAck[]>;
  close(): void;
}

/**
 * The replication data path through Redis streams. Writers go through the shared connection
 * (XADDs are sent alone, outside auto-pipelining, in call order on that one connection, which
 * keeps a partition's entries in log order);
 * each reader() gets a dedicated connection for its blocking reads.
 */
export class ReplicationStreams implements ReplicationStreamWriter {
  // True private fields (not just TypeScript's): nothing outside reaches Redis through a store.
  readonly #readers = new Set<Redis>();
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #maxLen: number;

  /** Made by Coordination.connect, which owns (and closes) the connection. */
  constructor(redis: Redis, keys: Keys, maxLen: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#maxLen = maxLen;
  }

  /** Adds a leader's append to the partition's window, trimmed (approximately) to maxLen entries. */
  append(
    topic: string,
    partition: number,
    leaderEpoch: number,
    baseOffset: number,
    highWatermark: number,
    data: Buffer,
    logStartOffset?: number,
  ): Promise<unknown> {
    const start: Array<string | number> = logStartOffset === undefined ? [] : ['l', logStartOffset];
    return this.#redis.xadd(
      this.#keys.replicationStream(topic, partition),
      'MAXLEN',
      '~',
      this.#maxLen,
      '*',
      'e',
      leaderEpoch,
      'b',
      baseOffset,
      'h',
      highWatermark,
      ...start,
      'd',
      data,
    );
  }

  /** The id of the newest entry, or '0-0' for an empty stream: where a follower starts reading after catching up. */
  async lastId(topic: string, partition: number): Promise<string> {
    const rows = await this.#redis.xrevrange(this.#keys.replicationStream(topic, partition), '+', '-', 'COUNT', 1);
    return rows.length > 0 ? rows[0][0] : '0-0';
  }

  /** A reader on a connection of its own; closed by its close() or by closeReaders(). */
  reader(): ReplicationStreamReader {
    const connection = this.#redis.duplicate();
    // Blocking connections report errors through the reads that fail; no unhandled 'error' events.
    connection.on('error', () => undefined);
    this.#readers.add(connection);
    return {
      read: (cursors, blockMs, count) => this.read(connection, cursors, blockMs, count),
      readAcks: (leaderId, after, blockMs) => this.readAcks(connection, leaderId, after, blockMs),
      close: () => {
        this.#readers.delete(connection);
        connection.disconnect();
      },
    };
  }

  closeReaders(): void {
    for (const c of this.#readers) c.disconnect();
    this.#readers.clear();
  }

  /** One blocking read over many partitions' streams, on `reader` (a dedicated connection). */
  private async read(reader: Redis, cursors: readonly StreamCursor[], blockMs: number, count: number): Promise<ReplicationEntry[]> {
    if (cursors.length === 0) return [];
    const byKey = new Map(cursors.map((c) => [this.#keys.replicationStream(c.topic, c.partition), c]));
    const raw = await reader.xreadBuffer('COUNT', count, 'BLOCK', blockMs, 'STREAMS', ...byKey.keys(), ...cursors.map((c) => c.after));
    const out: ReplicationEntry[] = [];
    for (const [keyBuf, entries] of raw ?? []) {
      const cursor = byKey.get(keyBuf.toString());
      if (!cursor) continue;
      for (const [idBuf, fields] of entries) {
        const f = fieldMap(fields);
        const data = f.get('d');
        if (!data) continue;
        out.push({
          topic: cursor.topic,
          partition: cursor.partition,
          id: idBuf.toString(),
          leaderEpoch: Number(f.get('e')?.toString()),
          baseOffset: Number(f.get('b')?.toString()),
          highWatermark: Number(f.get('h')?.toString()),
          logStartOffset: f.has('l') ? Number(f.get('l')?.toString()) : undefined,
          data,
        });
      }
    }
    return out;
  }

  /** Sends followers' log end offsets to their leaders' ack streams, one round trip. */
  async reportAcks(acks: ReadonlyArray<Omit<ReplicaAck, 'id'> & { leaderId: number }>): Promise<void> {
    if (acks.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const a of acks) {
      pipeline.xadd(
        this.#keys.replicaAcks(a.leaderId),
        'MAXLEN',
        '~',
        10_000,
        '*',
        't',
        a.topic,
        'p',
        a.partition,
        'r',
        a.replicaId,
        'o',
        a.logEndOffset,
        'e',
        a.leaderEpoch,
        'be',
        a.brokerEpoch,
      );
    }
    await pipeline.exec();
  }

  /** One blocking read of this leader broker's ack stream, on `reader` (a dedicated connection). */
  private async readAcks(reader: Redis, leaderId: number, after: string, blockMs: number): Promise<ReplicaAck[]> {
    const raw = await reader.xreadBuffer('COUNT', 1000, 'BLOCK', blockMs, 'STREAMS', this.#keys.replicaAcks(leaderId), after);
    const out: ReplicaAck[] = [];
    for (const [, entries] of raw ?? []) {
      for (const [idBuf, fields] of entries) {
        const f = fieldMap(fields);
        out.push({
          id: idBuf.toString(),
          topic: f.get('t')?.toString() ?? '',
          partition: Number(f.get('p')?.toString()),
          replicaId: Number(f.get('r')?.toString()),
          logEndOffset: Number(f.get('o')?.toString()),
          leaderEpoch: Number(f.get('e')?.toString()),
          brokerEpoch: Number(f.get('be')?.toString() ?? '-1'),
        });
      }
    }
    return out;
  }

  /** The id of the newest ack, so a leader starting up skips acks meant for its previous life. */
  async lastAckId(leaderId: number): Promise<string> {
    const rows = await this.#redis.xrevrange(this.#keys.replicaAcks(leaderId), '+', '-', 'COUNT', 1);
    return rows.length > 0 ? rows[0][0] : '0-0';
  }
}

function fieldMap(fields: Buffer[]): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) m.set(fields[i].toString(), fields[i + 1]);
  return m;
}
