import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Buffer } from 'buffer';
import type { PartitionState } from '@tributary/coordination';
import { PartitionLog } from '@tributary/log';
import {
  ErrorCode,
  TOPIC_CONFIG_DEFAULTS,
  TributaryError,
  encodeRecordBatch,
  type FetchRequest,
  type FetchResponse,
  type ListOffsetsRequest,
  type OffsetForLeaderEpochRequest,
  type ResponseBase,
  type TopicConfig,
} from '@tributary/protocol';
import type { PeerLinks } from '../../replication/broker-links';
import { PartitionActor } from '../partition-actor';
import type { FollowerAck, PartitionContext } from '../partition-context';
import type { PartitionStreams } from '../partition-store';
import { FakeClock, InMemoryPartitionStore } from './in-memory-partition-store';

export { FakeClock, InMemoryPartitionStore };

/** The replication stream as the leader writes it; followers in these specs get entries by hand. */
export class RecordingStreams implements PartitionStreams {
  readonly appended: { leaderEpoch: number; baseOffset: number; highWatermark: number; data: Buffer; logStartOffset?: number }[] = [];
  async append(
    _t: string,
    _p: number,
    leaderEpoch: number,
    baseOffset: number,
    highWatermark: number,
    data: Buffer,
    logStartOffset?: number,
  ): Promise<unknown> {
    this.appended.push({ leaderEpoch, baseOffset, highWatermark, data, logStartOffset });
    return null;
  }
  async lastId(): Promise<string> {
    return `${this.appended.length}-0`;
  }
}

/** Peer requests answered by a test-supplied handler (e.g. a real leader actor), with every call recorded. */
export class ScriptedLinks implements PeerLinks {
  readonly calls: { url: string; event: string; payload: unknown }[] = [];
  constructor(public handler: (event: string, payload: unknown) => Promise<ResponseBase>) {}
  async request<Res extends ResponseBase>(url: string, event: string, payload: unknown): Promise<Res> {
    this.calls.push({ url, event, payload });
    const res = await this.handler(event, payload);
    if (res.errorCode !== 0) throw new TributaryError(res.errorCode, res.errorMessage);
    return res as Res;
  }
}

export interface ReplicaHarness {
  actor: PartitionActor;
  store: InMemoryPartitionStore;
  clock: FakeClock;
  streams: RecordingStreams;
  links: ScriptedLinks;
  acks: FollowerAck[];
  config: TopicConfig;
  dir: string;
  close(): Promise<void>;
}

export const LEASE_MS = 3_000;
export const LAG_MS = 10_000;
export const STALL_MS = 1_500;

/**
 * A real PartitionActor over a real PartitionLog in a temp dir, with the in-memory store, a
 * fake clock and scripted peers. Metadata reloads read the store and hand the state to the
 * actor, as the broker's metadata cache does.
 */
export function replica(options: {
  brokerId: number;
  initial: PartitionState;
  config?: Partial<TopicConfig>;
  store?: InMemoryPartitionStore;
  clock?: FakeClock;
  links?: ScriptedLinks;
  live?: number[];
}): ReplicaHarness {
  const clock = options.clock ?? new FakeClock();
  const store = options.store ?? new InMemoryPartitionStore(options.initial, clock);
  for (const id of options.initial.replicas) if (!store.brokerEpochs.has(id)) store.brokerEpochs.set(id, 10 + id);
  const streams = new RecordingStreams();
  const links = options.links ?? new ScriptedLinks(async () => ({ errorCode: 0 }));
  const acks: FollowerAck[] = [];
  const live = new Set(options.live ?? options.initial.replicas);
  const config: TopicConfig = { ...TOPIC_CONFIG_DEFAULTS, ...options.config };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `actor-${options.brokerId}-`));
  let actor: PartitionActor | null = null;
  const ctx: PartitionContext = {
    brokerId: options.brokerId,
    brokerEpoch: () => store.brokerEpochs.get(options.brokerId) ?? -1,
    replicaBrokerEpoch: (id) => store.brokerEpochs.get(id),
    store,
    streams,
    links,
    clock,
    leaderLeaseMs: LEASE_MS,
    replicaLagTimeMaxMs: LAG_MS,
    replicaStallTimeoutMs: STALL_MS,
    brokerUrl: (id) => (live.has(id) ? `ws://broker-${id}` : undefined),
    reloadMetadata: () =>
      void store
        .partitionState()
        .then((s) => s && actor?.update(s, config))
        // a test fake: like the broker's, a failed reload is retried by the next claim or tick
        .catch(() => undefined),
    reportAck: (a) => acks.push(a),
  };
  actor = new PartitionActor(options.initial.topic, options.initial.partition, ctx, PartitionLog.open(dir), options.initial, config);
  const made = actor;
  return {
    actor: made,
    store,
    clock,
    streams,
    links,
    acks,
    config,
    dir,
    close: async () => {
      await made.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Replicas made for one spec, all closed after each test (`afterEach(pool.closeAll)`). */
export function replicaPool(): { make: typeof replica; closeAll: () => Promise<void> } {
  const open: ReplicaHarness[] = [];
  return {
    make: (...args) => {
      const h = replica(...args);
      open.push(h);
      return h;
    },
    closeAll: async () => {
      await Promise.all(open.splice(0).map((h) => h.close()));
    },
  };
}

export const batch = (v: string): Buffer => encodeRecordBatch([{ key: null, value: Buffer.from(v), timestamp: Date.now() }]);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * What a leader broker's request handlers answer a follower, computed by a real leader actor:
 * fetch (as a replica), offsetForLeaderEpoch and listOffsets. Errors become error codes as on the wire.
 */
export function servedBy(leader: () => PartitionActor): (event: string, payload: unknown) => Promise<ResponseBase> {
  return async (event, payload) => {
    const actor = leader();
    try {
      if (event === 'fetch') {
        const req = payload as FetchRequest;
        const p = req.partitions[0];
        const r = actor.read(p.fetchOffset, p.partitionMaxBytes, req.replicaId, req.replicaEpoch, req.replicaBrokerEpoch);
        const partition = {
          topic: p.topic,
          partition: p.partition,
          errorCode: 0,
          highWatermark: r.highWatermark,
          logEndOffset: r.logEndOffset,
          logStartOffset: r.logStartOffset,
          byteLength: r.records.length,
        };
        return { errorCode: 0, partitions: [partition], records: r.records } satisfies FetchResponse;
      }
      if (event === 'offsetForLeaderEpoch') {
        const req = payload as OffsetForLeaderEpochRequest;
        return { errorCode: 0, ...actor.endOffsetForEpoch(req.leaderEpoch, req.currentLeaderEpoch) };
      }
      if (event === 'listOffsets') {
        const p = (payload as ListOffsetsRequest).partitions[0];
        const r = actor.offsetFor(p.timestamp);
        return { errorCode: 0, partitions: [{ topic: p.topic, partition: p.partition, errorCode: 0, ...r }] } as ResponseBase;
      }
      return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: event };
    } catch (err) {
      if (err instanceof TributaryError) return { errorCode: err.code, errorMessage: err.message };
      throw err;
    }
  };
}
