import { Buffer } from 'buffer';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import Redis from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import {
  decodeRecordBatches,
  encodeProduceEntries,
  encodeRecordBatch,
  ErrorCode,
  isRetriable,
  type CreateTopicsResponse,
  type FetchResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '@tributary/protocol';
import { waitFor, sleep } from './support/free-port';
import { cpuMs, MiB, rssBytes } from './support/process-stats';
import { RawSocket } from './support/raw-socket';
import { TestCluster } from './support/test-cluster';

/**
 * The exhaustion probes of issue 9 against three real brokers: each gets a bounded answer
 * or an error code, the broker's memory stays under a stated bound, another client's
 * metadata stays fast meanwhile, and nothing acknowledged is lost.
 */
jest.setTimeout(300_000);

const FETCH_MAX_BYTES = 4 * MiB;
const MAX_PARTITION_FETCH_BYTES = 1 * MiB;
const SEND_BUFFER = 4 * MiB;
const INT32_MAX = 0x7fffffff;
/** generous: the probes without limits drove a broker from ~100 MB to 1.86 GB */
const RSS_GROWTH_BOUND = 250 * MiB;
/**
 * How long the test's own requests (setup, checks) wait for an answer: a hang-catcher. Creating
 * 177 partitions and writing 10 MB took longer than the 10 s default on a host running several
 * suites at once, which failed the whole file in its setup. What the tests bound is measured
 * apart, by the probes.
 */
const REQUEST_MS = 60_000;

/** Measures another client's metadata latency while an attack runs. */
class LatencyProbe {
  private stopped = false;
  private max = 0;
  private count = 0;
  private loop: Promise<void> | null = null;

  constructor(private readonly sock: RawSocket) {}

  start(): this {
    this.loop = (async () => {
      while (!this.stopped) {
        const t0 = Date.now();
        const r = await this.sock.request<MetadataResponse>('metadata', {}, 5000).catch(() => null);
        const took = r?.errorCode === ErrorCode.NONE ? Date.now() - t0 : 5000;
        this.max = Math.max(this.max, took);
        this.count++;
        await sleep(50);
      }
    })();
    return this;
  }

  async stop(): Promise<{ maxMs: number; count: number }> {
    this.stopped = true;
    await this.loop;
    return { maxMs: this.max, count: this.count };
  }
}

/**
 * What these tests bound is each request, not failover: with the default 1.5 s leader lease
 * (and a Redis view that goes stale after as long), a broker starved of CPU on a loaded host
 * (load 20-40 on two cores, seen) lapsed its leases mid-test. A lapsed lease answered parked
 * polls NOT_LEADER_OR_FOLLOWER before their connections closed, returned fetches without
 * records, ended 1 s polls early, answered metadata BROKER_NOT_AVAILABLE and moved
 * limits-replicated's leader. 10 s leases still lapsed at load 38 while 512 polls were parked
 * (10 appends took 8-14 s there); 30 s leases ride such stalls out. A stall the attacks
 * themselves cause is still caught by the metadata probes, and a lease they lapse by the
 * leadership checks.
 */
const SLOW_HOST_LEASES = { LEADER_LEASE_MS: '30000', BROKER_SESSION_TIMEOUT_MS: '60000', CONTROLLER_LEASE_MS: '60000' };

/** The metadata latency an attack may cause on an idle host. */
const METADATA_BOUND_MS = 1000;

/**
 * How much slower than idle the host runs: half the runnable processes per core, and 1 up to
 * two per core (this file's own three brokers and test process keep two cores about that busy).
 * A broker starved of CPU answers late whatever it does: at load 29 a target doing the attack's
 * work (reading and sending 4 MB) answered metadata in 1.0-1.2 s against 0.2-0.3 s on an
 * untouched broker.
 */
function hostSlowdown(): number {
  return Math.max(1, os.loadavg()[0] / os.cpus().length / 2);
}

/**
 * Metadata latency on the attacked broker and, at the same time, on a broker the attack does not
 * touch (the control). A stall the attack causes shows on the target alone; a loaded host, or
 * this test process busy sending the attack, slows both (seen: 2.4 s on each while six 9 MiB
 * frames went out at load 29). The bound is 1 s on an idle host, stretched by the host's
 * slowdown and never under twice what the control saw.
 */
class LatencyProbes {
  private readonly target: LatencyProbe;
  private readonly control: LatencyProbe;

  constructor(targetSock: RawSocket, controlSock: RawSocket) {
    this.target = new LatencyProbe(targetSock);
    this.control = new LatencyProbe(controlSock);
  }

  start(): this {
    this.target.start();
    this.control.start();
    return this;
  }

  async stop(): Promise<{ maxMs: number; controlMaxMs: number; boundMs: number }> {
    const [t, c] = await Promise.all([this.target.stop(), this.control.stop()]);
    return { maxMs: t.maxMs, controlMaxMs: c.maxMs, boundMs: Math.round(Math.max(METADATA_BOUND_MS * hostSlowdown(), 2 * c.maxMs)) };
  }
}

function connect(url: string, options: { origin?: string; clientId?: string } = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, {
      transports: ['websocket'],
      reconnection: false,
      timeout: 5000,
      ...(options.origin ? { extraHeaders: { Origin: options.origin } } : {}),
      ...(options.clientId !== undefined ? { auth: { clientId: options.clientId } } : {}),
    });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

function request<T>(s: Socket, event: string, payload: unknown, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => s.timeout(timeoutMs).emit(event, payload, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
}

describe('request limits and backpressure (three real brokers)', () => {
  let cluster: TestCluster;
  let probeSock: RawSocket;
  let controlSock: RawSocket;
  const sockets = new Map<number, RawSocket>();
  let target: { id: number; url: string; pid: number };
  let targetPartitions: number[] = [];
  const dataTopic = 'limits-data';
  const wideTopic = 'limits-wide';
  let widePartitions: number[] = [];
  let initialLeadership: string[] = [];

  const sock = async (id: number) => {
    let s = sockets.get(id);
    if (!s) {
      s = await RawSocket.connect(cluster.broker(id).url, REQUEST_MS);
      sockets.set(id, s);
    }
    return s;
  };
  const metadata = async (topics: string[] | null = null) => (await sock(target.id)).request<MetadataResponse>('metadata', { topics });
  /** which broker leads each partition (a lease renewed late under load may bump an epoch without moving a leader) */
  const leadership = async () => {
    const m = await metadata(null);
    return m.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partition}:${p.leader}`)).sort();
  };
  /**
   * One acks=1 write; as the SDK does, a retriable answer is retried: on a loaded host a leader
   * whose lease renewal came late refuses a write with NOT_LEADER_OR_FOLLOWER for a moment (seen
   * in the setup's writes at load 20-30). With acks=1 that refusal comes before the append, so
   * a count of acknowledged records stays exact.
   */
  const write = async (topic: string, partition: number, value: Buffer): Promise<number> => {
    const s = await sock(target.id);
    for (let attempt = 1; ; attempt++) {
      const batches = encodeRecordBatch([{ key: null, value, timestamp: Date.now() }]);
      const r = await s.request<ProduceResponse>('produce', { acks: 1, timeoutMs: 5000, data: encodeProduceEntries([{ topic, partition, batches }]) });
      const code = r.errorCode !== ErrorCode.NONE ? r.errorCode : r.partitions[0].errorCode;
      if (code !== ErrorCode.NONE && isRetriable(code) && attempt < 50) {
        await sleep(100);
        continue;
      }
      expect(r.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE });
      return r.partitions[0].baseOffset;
    }
  };
  /** acknowledged records per partition of the data topic, checked at the end */
  const acknowledged = new Map<number, number>();
  const produce = async (partition: number, value: Buffer) => {
    const offset = await write(dataTopic, partition, value);
    acknowledged.set(partition, (acknowledged.get(partition) ?? 0) + 1);
    return offset;
  };
  const endOffset = async (partition: number) => {
    const r = await (
      await sock(target.id)
    ).request<{ partitions: Array<{ offset: number }> }>('listOffsets', { partitions: [{ topic: dataTopic, partition, timestamp: -1 }] });
    return r.partitions[0].offset;
  };

  beforeAll(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerEnv: {
        FETCH_MAX_BYTES: String(FETCH_MAX_BYTES),
        MAX_PARTITION_FETCH_BYTES: String(MAX_PARTITION_FETCH_BYTES),
        CONNECTION_SEND_BUFFER_MAX_BYTES: String(SEND_BUFFER),
        ...SLOW_HOST_LEASES,
      },
    });
    const first = await RawSocket.connect(cluster.brokers[0].url, REQUEST_MS);
    const controllerId = await waitFor(
      'a controller',
      async () => {
        const m = await first.request<MetadataResponse>('metadata', {});
        return m.controllerId > 0 && m.brokers.length === 3 ? m.controllerId : 0;
      },
      REQUEST_MS,
    );
    first.close();
    const created = await (
      await sock(controllerId)
    ).request<CreateTopicsResponse>('createTopics', {
      topics: [
        { name: dataTopic, numPartitions: 24, replicationFactor: 1 },
        { name: 'limits-replicated', numPartitions: 3, replicationFactor: 3 },
        { name: wideTopic, numPartitions: 150, replicationFactor: 1 },
      ],
    });
    expect(created.topics.map((t) => t.errorCode)).toEqual([0, 0, 0]);
    const b = cluster.broker(1);
    target = { id: 1, url: b.url, pid: b.pid! };
    const m = await waitFor(
      'leaders for every partition',
      async () => {
        const r = await metadata([dataTopic]);
        return r.topics[0]?.partitions.length === 24 && r.topics[0].partitions.every((p) => p.leader > 0) ? r : null;
      },
      REQUEST_MS,
    );
    targetPartitions = m.topics[0].partitions.filter((p) => p.leader === target.id).map((p) => p.partition);
    const wide = await waitFor(
      'leaders for the wide topic',
      async () => {
        const r = await metadata([wideTopic]);
        return r.topics[0]?.partitions.length === 150 && r.topics[0].partitions.every((p) => p.leader > 0) ? r : null;
      },
      REQUEST_MS,
    );
    widePartitions = wide.topics[0].partitions.filter((p) => p.leader === target.id).map((p) => p.partition);
    expect(targetPartitions.length).toBeGreaterThanOrEqual(6);
    // ~1.2 MB per partition in 400 KB batches: more than one partition's and one fetch's cap.
    for (const p of targetPartitions) for (let i = 0; i < 3; i++) await produce(p, randomBytes(400_000));
    probeSock = await RawSocket.connect(target.url);
    controlSock = await RawSocket.connect(cluster.brokers.find((b) => b.id !== target.id)!.url);
    initialLeadership = (await leadership()).filter((l) => l.startsWith('limits-'));
  });

  afterAll(async () => {
    probeSock?.close();
    controlSock?.close();
    for (const s of sockets.values()) s.close();
    await cluster?.stop();
  });

  it('refuses the amplification fetch and caps a huge fetch of distinct partitions at FETCH_MAX_BYTES', async () => {
    const rss0 = rssBytes(target.pid);
    const probe = new LatencyProbes(probeSock, controlSock).start();
    const s = await sock(target.id);
    const p = targetPartitions[0];
    const amplified = await s.request<FetchResponse>('fetch', {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: INT32_MAX,
      partitions: Array.from({ length: 1000 }, () => ({ topic: dataTopic, partition: p, fetchOffset: 0, partitionMaxBytes: INT32_MAX })),
    });
    expect(amplified.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(amplified.errorMessage).toContain('duplicate');

    const all = await s.request<FetchResponse>('fetch', {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: INT32_MAX,
      partitions: targetPartitions.map((partition) => ({ topic: dataTopic, partition, fetchOffset: 0, partitionMaxBytes: INT32_MAX })),
    });
    expect(all.errorCode).toBe(ErrorCode.NONE);
    const sizes = all.partitions.map((x) => x.byteLength);
    expect(all.records.length).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(all.records.length).toBeGreaterThan(MAX_PARTITION_FETCH_BYTES);
    expect(all.records.length).toBeLessThanOrEqual(FETCH_MAX_BYTES);
    for (const n of sizes) expect(n).toBeLessThanOrEqual(MAX_PARTITION_FETCH_BYTES);
    // what did not fit is left for the next fetch, not dropped: some partition came back empty
    expect(sizes.some((n) => n === 0)).toBe(true);

    const { maxMs, controlMaxMs, boundMs } = await probe.stop();
    const growth = rssBytes(target.pid) - rss0;
    console.log(
      `amplification: huge fetch returned ${all.records.length} bytes; RSS growth ${(growth / MiB).toFixed(1)} MiB; metadata max ${maxMs} ms (control ${controlMaxMs} ms, bound ${boundMs} ms)`,
    );
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND);
    expect(maxMs).toBeLessThan(boundMs);
  });

  it('refuses a 50,000-partition createTopics before anything is created', async () => {
    const m = await metadata();
    const controller = await sock(m.controllerId);
    const rss0 = rssBytes(cluster.broker(m.controllerId).pid!);
    const r = await controller.request<CreateTopicsResponse>('createTopics', { topics: [{ name: 'huge', numPartitions: 50_000, replicationFactor: 3 }] });
    expect(r.topics[0].errorCode).toBe(ErrorCode.POLICY_VIOLATION);
    expect(r.topics[0].errorMessage).toContain('MAX_PARTITIONS_PER_BROKER');
    // nothing on disk and nothing in Redis
    for (const b of cluster.brokers) {
      const dirs = fs.existsSync(b.options.dataDir) ? fs.readdirSync(b.options.dataDir) : [];
      expect(dirs.filter((d) => d.startsWith('huge-'))).toEqual([]);
    }
    const redis = new Redis(cluster.redis.url, { lazyConnect: true });
    try {
      await redis.connect();
      const keys = await redis.keys('*huge*');
      expect(keys).toEqual([]);
      const topicsKey = (await redis.keys('*topics')).find((k) => !k.includes('huge'));
      if (topicsKey) expect(await redis.hexists(topicsKey, 'huge')).toBe(0);
    } finally {
      redis.disconnect();
    }
    expect((await metadata(['huge'])).topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(rssBytes(cluster.broker(m.controllerId).pid!) - rss0).toBeLessThan(RSS_GROWTH_BOUND);
  });

  it('refuses six parallel frames over MAX_REQUEST_BYTES and leaderships stay put', async () => {
    const before = await leadership();
    const rss0 = rssBytes(target.pid);
    const probe = new LatencyProbes(probeSock, controlSock).start();
    const oversized = encodeProduceEntries([{ topic: dataTopic, partition: targetPartitions[0], batches: Buffer.alloc(9 * MiB, 7) }]);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const s = await connect(target.url);
        const disconnected = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(`disconnect: ${reason}`)));
        const answered = request<ProduceResponse>(s, 'produce', { acks: 1, timeoutMs: 5000, data: oversized }, 20_000).then(
          (r) => `answered ${r.errorCode}`,
          (e: Error) => `no answer: ${e.message}`,
        );
        const outcome = await Promise.race([disconnected, answered]);
        s.close();
        return outcome;
      }),
    );
    for (const o of outcomes) expect(o).toMatch(/^disconnect/);
    const { maxMs, controlMaxMs, boundMs } = await probe.stop();
    const growth = rssBytes(target.pid) - rss0;
    console.log(
      `oversized frames: ${outcomes.join('; ')}; RSS growth ${(growth / MiB).toFixed(1)} MiB; metadata max ${maxMs} ms (control ${controlMaxMs} ms, bound ${boundMs} ms)`,
    );
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND);
    expect(maxMs).toBeLessThan(boundMs);
    // No leader moved (a stall long enough to lapse a lease would move limits-replicated's
    // leader; the last test checks again once every attack has had a lease's time to show).
    expect(await leadership()).toEqual(before);
    // and the broker still takes a normal batch on that partition
    const end = await endOffset(targetPartitions[0]);
    expect(await produce(targetPartitions[0], Buffer.from('after the frames'))).toBe(end);
  });

  it('ends parked long polls as soon as their connections close', async () => {
    const appendTo = widePartitions[0];
    const conns = await Promise.all(Array.from({ length: 16 }, () => connect(target.url)));
    // Polls over ~50 partitions that can never be satisfied (minBytes above anything they
    // may return): every append to one of them wakes each poll to look at all of them again.
    const parked = conns.flatMap((s) =>
      Array.from({ length: 32 }, () =>
        request<FetchResponse>(
          s,
          'fetch',
          {
            maxWaitMs: 30_000,
            minBytes: INT32_MAX,
            maxBytes: INT32_MAX,
            partitions: widePartitions.map((partition) => ({ topic: wideTopic, partition, fetchOffset: 0, partitionMaxBytes: 1024 })),
          },
          60_000,
        ).then(
          // which answer, so a poll answered before its connection closed says why
          (r) => `answered: error ${r.errorCode}, partitions ${JSON.stringify(r.partitions.filter((p) => p.errorCode !== ErrorCode.NONE).slice(0, 3))}`,
          () => 'closed',
        ),
      ),
    );
    await sleep(1000);
    const appendCost = async () => {
      const cpu0 = cpuMs(target.pid);
      const t0 = Date.now();
      for (let i = 0; i < 10; i++) await write(wideTopic, appendTo, Buffer.from(`append ${i}`));
      return { cpu: cpuMs(target.pid) - cpu0, ms: Date.now() - t0 };
    };
    const whileParked = await appendCost();
    for (const s of conns) s.close();
    await sleep(300);
    const probe = new LatencyProbes(probeSock, controlSock).start();
    const afterClose = await appendCost();
    const { maxMs, controlMaxMs, boundMs } = await probe.stop();
    console.log(
      `long polls: 10 appends with ${parked.length} polls over ${widePartitions.length} partitions parked cost ${whileParked.cpu} ms CPU (${whileParked.ms} ms); after their connections closed ${afterClose.cpu} ms CPU (${afterClose.ms} ms); metadata max ${maxMs} ms (control ${controlMaxMs} ms, bound ${boundMs} ms)`,
    );
    // The measure is sensitive (parked polls cost work on every append), and that work is gone once their connections close.
    expect(whileParked.cpu).toBeGreaterThanOrEqual(100);
    expect(afterClose.cpu).toBeLessThan(whileParked.cpu / 4);
    expect(maxMs).toBeLessThan(boundMs);
    expect(new Set(await Promise.all(parked))).toEqual(new Set(['closed']));
  });

  it('does not buffer without bound for a client that never reads its responses', async () => {
    const p = targetPartitions[2];
    const s = await connect(target.url);
    const rss0 = rssBytes(target.pid);
    const probe = new LatencyProbes(probeSock, controlSock).start();
    // Stop reading at the TCP level: the broker's writes pile up unless it holds back.
    const engine = s.io.engine as unknown as { transport: { ws?: { _socket?: { pause(): void; resume(): void } } } };
    const tcp = engine.transport.ws?._socket;
    if (!tcp) throw new Error('no underlying TCP socket to pause');
    tcp.pause();
    const count = 400;
    const answers = Array.from({ length: count }, () =>
      request<FetchResponse>(
        s,
        'fetch',
        {
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: INT32_MAX,
          partitions: [{ topic: dataTopic, partition: p, fetchOffset: 0, partitionMaxBytes: INT32_MAX }],
        },
        120_000,
      ),
    );
    // Unbounded, 400 responses of ~800 KB would be ~320 MB in the broker within a second or two.
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      await sleep(500);
      peak = Math.max(peak, rssBytes(target.pid) - rss0);
    }
    const { maxMs, controlMaxMs, boundMs } = await probe.stop();
    tcp.resume();
    const results = await Promise.all(answers);
    const codes = new Map<number, number>();
    for (const r of results) codes.set(r.errorCode, (codes.get(r.errorCode) ?? 0) + 1);
    console.log(
      `non-reading client: peak RSS growth ${(peak / MiB).toFixed(1)} MiB; metadata max ${maxMs} ms (control ${controlMaxMs} ms, bound ${boundMs} ms); answers by code ${JSON.stringify([...codes])}`,
    );
    s.close();
    expect(peak).toBeLessThan(150 * MiB);
    expect(maxMs).toBeLessThan(boundMs);
    // every request answered: data, or a clear code for those beyond the connection's queue
    expect(results.length).toBe(count);
    for (const r of results) expect([ErrorCode.NONE, ErrorCode.THROTTLING_QUOTA_EXCEEDED]).toContain(r.errorCode);
    for (const r of results.filter((x) => x.errorCode === ErrorCode.NONE)) expect(r.records.length).toBeGreaterThan(0);
    expect(codes.get(ErrorCode.NONE) ?? 0).toBeGreaterThan(0);
  });

  it('bounds the requests one connection may have running and waiting', async () => {
    const s = await connect(target.url);
    const probe = new LatencyProbes(probeSock, controlSock).start();
    const inFlight = 32; // MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION default
    const queued = 256; // MAX_QUEUED_REQUESTS_PER_CONNECTION default
    const beyond = 20;
    const p = widePartitions[1]; // never written: every poll waits its full maxWaitMs
    const t0 = Date.now();
    const answers = await Promise.all(
      Array.from({ length: inFlight + queued + beyond }, () =>
        request<FetchResponse>(
          s,
          'fetch',
          { maxWaitMs: 1000, minBytes: 1, maxBytes: 1024, partitions: [{ topic: wideTopic, partition: p, fetchOffset: 0, partitionMaxBytes: 1024 }] },
          60_000,
        ).then((r) => ({ code: r.errorCode, at: Date.now() - t0 })),
      ),
    );
    const { maxMs, controlMaxMs, boundMs } = await probe.stop();
    s.close();
    const throttled = answers.filter((a) => a.code === ErrorCode.THROTTLING_QUOTA_EXCEEDED);
    const served = answers.filter((a) => a.code === ErrorCode.NONE);
    console.log(
      `in-flight: ${served.length} served in waves (last after ${Math.max(...served.map((a) => a.at))} ms), ${throttled.length} refused at once; metadata max ${maxMs} ms (control ${controlMaxMs} ms, bound ${boundMs} ms)`,
    );
    expect(throttled.length).toBe(beyond);
    expect(served.length).toBe(inFlight + queued);
    // refused at once, not after waiting: before the first wave's 1 s polls are answered, which a
    // loaded machine delays as much as the refusals; the absolute bound only catches a refusal that
    // waited out a poll or a slot. The rest ran at most 32 at a time (9 waves of 1 s).
    const firstServed = Math.min(...served.map((a) => a.at));
    for (const a of throttled) expect(a.at).toBeLessThan(firstServed);
    for (const a of throttled) expect(a.at).toBeLessThan(5000);
    expect(Math.max(...served.map((a) => a.at))).toBeGreaterThanOrEqual(Math.ceil((inFlight + queued) / inFlight) * 1000 - 100);
    expect(maxMs).toBeLessThan(boundMs);
  });

  it('answers bad names and ids with clear error codes', async () => {
    const m = await metadata();
    const controller = await sock(m.controllerId);
    const create = async (name: string) =>
      (await controller.request<CreateTopicsResponse>('createTopics', { topics: [{ name, numPartitions: 1, replicationFactor: 1 }] })).topics[0];
    expect((await create('__consumer_offsets')).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect((await create('a_b')).errorCode).toBe(ErrorCode.NONE);
    const collision = await create('a.b');
    expect(collision.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(collision.errorMessage).toContain("'a_b'");
    expect((await metadata(['a.b'])).topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    const s = await sock(target.id);
    const join = (over: Record<string, unknown>) =>
      s.request<{ errorCode: number; errorMessage?: string }>('joinGroup', {
        groupId: 'limits-group',
        memberId: '',
        clientId: 'ok',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        topics: ['a_b'],
        assignors: ['range'],
        ...over,
      });
    const control = await join({ clientId: 'evil\u0000\u001b[31m<script>' });
    expect(control.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(control.errorMessage).toContain('clientId');
    expect((await join({ groupId: 'g'.repeat(300) })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await join({ memberId: 'm'.repeat(1000) })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await s.request<{ errorCode: number }>('findCoordinator', { groupId: 'g'.repeat(300) })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    await expect(connect(target.url, { clientId: '<img src=x onerror=alert(1)>' })).rejects.toThrow(/clientId/);
    (await connect(target.url, { clientId: 'my-app.v2_1' })).close();

    const longNames = await s.request<MetadataResponse>('metadata', { topics: Array.from({ length: 3199 }, (_, i) => `${i}-${'x'.repeat(1000)}`) });
    expect(longNames.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(longNames.topics).toEqual([]);
    const manyNames = await s.request<MetadataResponse>('metadata', { topics: Array.from({ length: 20_000 }, (_, i) => `t${i}`) });
    expect(manyNames.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(manyNames.topics).toEqual([]);
  });

  it('lost nothing acknowledged, moved no leadership and serves every partition', async () => {
    expect(cluster.brokers.every((b) => b.running)).toBe(true);
    expect((await leadership()).filter((l) => l.startsWith('limits-'))).toEqual(initialLeadership);
    const s = await sock(target.id);
    for (const [partition, count] of acknowledged) {
      expect(await endOffset(partition)).toBe(count);
      let offset = 0;
      let records = 0;
      while (offset < count) {
        const r = await s.request<FetchResponse>('fetch', {
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: FETCH_MAX_BYTES,
          partitions: [{ topic: dataTopic, partition, fetchOffset: offset, partitionMaxBytes: MAX_PARTITION_FETCH_BYTES }],
        });
        expect(r.partitions[0].errorCode).toBe(ErrorCode.NONE);
        const got = decodeRecordBatches(Buffer.from(r.records));
        expect(got.length).toBeGreaterThan(0);
        expect(got[0].offset).toBe(offset);
        records += got.length;
        offset = got[got.length - 1].offset + 1;
      }
      expect(records).toBe(count);
    }
  });

  it('refuses a cross-site WebSocket and accepts no Origin and localhost', async () => {
    const port = new URL(target.url).port;
    await expect(connect(target.url, { origin: 'http://evil.example' })).rejects.toThrow();
    await expect(connect(target.url, { origin: 'null' })).rejects.toThrow();
    for (const origin of [undefined, `http://localhost:${port}`, `http://127.0.0.1:${port}`]) {
      const s = await connect(target.url, { origin });
      expect((await request<MetadataResponse>(s, 'metadata', {})).errorCode).toBe(ErrorCode.NONE);
      s.close();
    }
  });
});
