import 'reflect-metadata';
import { Inject, Injectable, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { LogLevel, Tributary, type Admin, type Producer } from '@tributary/client';
import {
  DeadLetterHeaders,
  TRIBUTARY_ADMIN,
  TRIBUTARY_PRODUCER,
  TributaryContext,
  TributaryHealthIndicator,
  TributaryListener,
  TributaryModule,
  type TributaryModuleOptions,
} from '@tributary/nestjs';
import { sleep, waitFor } from './support/free-port';
import { TestCluster } from './support/test-cluster';

/**
 * TributaryModule in real Nest applications (@nestjs/testing) against a real broker process:
 * the injected producer, @TributaryListener groups and their handover, the retry policy, slow
 * handlers that outlive the session timeout, forRootAsync with ConfigService, and health.
 */
jest.setTimeout(120_000);

interface Handled {
  app: string;
  key: string | null;
  seq: number;
  partition: number;
  offset: number;
  at: number;
}

const SINK = Symbol('SINK');
const APP_NAME = Symbol('APP_NAME');
/** a listener's session timeout far above any figure the handover test allows */
const LONG_SESSION_MS = 30_000;

@Injectable()
class OrdersListener {
  constructor(
    @Inject(SINK) private readonly sink: Handled[],
    @Inject(APP_NAME) private readonly app: string,
  ) {}

  @TributaryListener({
    topic: 'orders',
    groupId: 'orders-group',
    fromBeginning: true,
    consumer: { sessionTimeoutMs: LONG_SESSION_MS, heartbeatIntervalMs: 1000 },
  })
  async onOrder(payload: { seq: number }, ctx: TributaryContext): Promise<void> {
    this.sink.push({ app: this.app, key: ctx.keyString, seq: payload.seq, partition: ctx.partition, offset: ctx.offset, at: Date.now() });
  }
}

const attempts: Record<string, number[]> = { flaky: [], poison: [], stuck: [] };
const handledValues: Record<string, string[]> = { flaky: [], poison: [], stuck: [], manual: [] };

@Injectable()
class FailingListeners {
  @TributaryListener({ topic: 'flaky', groupId: 'flaky-group', fromBeginning: true, retry: { retries: 3, initialBackoffMs: 50 } })
  async flaky(payload: { n: number }, ctx: TributaryContext): Promise<void> {
    attempts.flaky.push(ctx.attempt);
    if (payload.n === 0 && ctx.attempt < 3) throw new Error(`flaky failure ${ctx.attempt}`);
    handledValues.flaky.push(`${payload.n}@${ctx.attempt}`);
  }

  @TributaryListener({
    topic: 'poison',
    groupId: 'poison-group',
    fromBeginning: true,
    retry: { retries: 2, initialBackoffMs: 20, deadLetterTopic: 'poison.dlt' },
  })
  async poison(payload: { n: number }, ctx: TributaryContext): Promise<void> {
    attempts.poison.push(ctx.attempt);
    if (payload.n === 0) throw new Error('poison record');
    handledValues.poison.push(String(payload.n));
  }

  /** autoCommit off: only what ctx.commit() commits is committed (record 0, not record 1) */
  @TributaryListener({ topic: 'manual', groupId: 'manual-group', fromBeginning: true, autoCommit: false, decode: 'string' })
  async manual(payload: string, ctx: TributaryContext): Promise<void> {
    if (ctx.offset === 0) await ctx.commit();
    handledValues.manual.push(payload);
  }

  @TributaryListener({ topic: 'stuck', groupId: 'stuck-group', fromBeginning: true, retry: { retries: 1, initialBackoffMs: 20 } })
  async stuck(payload: { n: number }, ctx: TributaryContext): Promise<void> {
    attempts.stuck.push(ctx.attempt);
    if (payload.n === 0) throw new Error('stuck record');
    handledValues.stuck.push(String(payload.n));
  }
}

const slowHandled: number[] = [];

@Injectable()
class SlowListener {
  @TributaryListener({ topic: 'slow', groupId: 'slow-group', fromBeginning: true, consumer: { sessionTimeoutMs: 3000, heartbeatIntervalMs: 500 } })
  async onSlow(payload: { n: number }): Promise<void> {
    if (payload.n === 0) await sleep(5_000);
    slowHandled.push(payload.n);
  }
}

describe('TributaryModule in Nest applications', () => {
  let cluster: TestCluster;
  let client: Tributary;
  let admin: Admin;
  const apps: INestApplication[] = [];

  const quiet = { logger: process.env.NEST_LOGS ? undefined : (false as const) };
  const options = (clientId: string): TributaryModuleOptions => ({
    brokers: [cluster.brokers[0].url],
    clientId,
    logLevel: LogLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });

  async function boot(metadata: ModuleMetadata): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule(metadata).compile();
    const app = moduleRef.createNestApplication(quiet);
    await app.init();
    apps.push(app);
    return app;
  }

  async function close(app: INestApplication): Promise<void> {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  }

  async function createTopic(topic: string, numPartitions: number): Promise<void> {
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }] });
  }

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1 });
    client = new Tributary({
      brokers: [cluster.brokers[0].url],
      logLevel: LogLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    admin = client.admin();
    await waitFor('the broker', async () => (await admin.describeCluster()).brokers.length === 1);
  });

  afterAll(async () => {
    for (const app of apps.splice(0)) await app.close().catch(() => undefined);
    await client?.disconnect().catch(() => undefined);
    await cluster?.stop();
  });

  it('two instances (forRootAsync reading ConfigService) share a topic as one group, in order per key; closing one hands over at once and skips nothing', async () => {
    await createTopic('orders', 4);
    const sink: Handled[] = [];
    const instance = (name: string): ModuleMetadata => ({
      imports: [
        TributaryModule.forRootAsync({
          imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ tributary: { brokers: [cluster.brokers[0].url] } })] })],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ ...options(`orders-${name}`), brokers: config.getOrThrow<string[]>('tributary.brokers') }),
        }),
      ],
      providers: [OrdersListener, { provide: SINK, useValue: sink }, { provide: APP_NAME, useValue: name }],
    });
    const a = await boot(instance('A'));
    const b = await boot(instance('B'));
    await waitFor(
      'both instances own partitions',
      async () => {
        const [g] = await admin.groups().describeGroups(['orders-group']);
        return g?.state === 'Stable' && g.members.length === 2 && g.members.every((m) => m.assignment.some((t) => t.partitions.length > 0));
      },
      30_000,
    );

    const producer = a.get<Producer>(TRIBUTARY_PRODUCER);
    const keys = Array.from({ length: 12 }, (_, i) => `order-${i}`);
    const next = new Map(keys.map((k) => [k, 0]));
    const produce = async (rounds: number): Promise<void> => {
      for (let r = 0; r < rounds; r++) {
        const messages = keys.map((key) => {
          const seq = next.get(key) ?? 0;
          next.set(key, seq + 1);
          return { key, value: JSON.stringify({ seq }) };
        });
        await producer.send({ topic: 'orders', messages });
      }
    };
    await produce(10);
    await waitFor('120 records handled', () => sink.length >= 120, 30_000, 50);
    const byApp = (app: string): number => sink.filter((h) => h.app === app).length;
    expect(byApp('A')).toBeGreaterThan(0);
    expect(byApp('B')).toBeGreaterThan(0);
    const partitionsOfA = new Set(sink.filter((h) => h.app === 'A').map((h) => h.partition));

    // A's own producer flushes before it closes; B must take A's partitions without a session timeout
    const closedAt = Date.now();
    await close(a);
    const closeMs = Date.now() - closedAt;
    const late = b.get<Producer>(TRIBUTARY_PRODUCER);
    for (let r = 0; r < 10; r++) {
      await late.send({
        topic: 'orders',
        messages: keys.map((key) => {
          const seq = next.get(key) ?? 0;
          next.set(key, seq + 1);
          return { key, value: JSON.stringify({ seq }) };
        }),
      });
    }
    await waitFor('240 records handled', () => sink.length >= 240, 30_000, 50);
    const firstOnAPartitions = Math.min(...sink.filter((h) => h.app === 'B' && partitionsOfA.has(h.partition) && h.at >= closedAt).map((h) => h.at));
    const handoverMs = firstOnAPartitions - closedAt;
    console.log(
      `handover: app.close() took ${closeMs} ms; B handled A's former partitions ${handoverMs} ms after close began (session timeout ${LONG_SESSION_MS} ms)`,
    );
    expect(handoverMs).toBeLessThan(LONG_SESSION_MS);

    // in order per key, each record once: no skip, no duplicate, across the handover
    expect(sink).toHaveLength(240);
    for (const key of keys) {
      expect(sink.filter((h) => h.key === key).map((h) => h.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }

    await close(b);
    const committed = await admin.groups().fetchOffsets('orders-group');
    const ends = await admin.fetchTopicOffsets('orders');
    for (const end of ends) {
      expect(committed.find((c) => c.topic === 'orders' && c.partition === end.partition)?.offset).toBe(end.high);
    }
  });

  it('the retry policy: retried in place, dead-lettered, or the partition paused on the record (never committed past it); ctx.commit() with autoCommit off', async () => {
    for (const t of ['flaky', 'poison', 'stuck', 'manual']) await createTopic(t, 1);
    await createTopic('poison.dlt', 1);
    const app = await boot({ imports: [TributaryModule.forRoot(options('failing'))], providers: [FailingListeners] });
    const producer = app.get<Producer>(TRIBUTARY_PRODUCER);
    for (const topic of ['flaky', 'poison', 'stuck', 'manual']) {
      await producer.send({ topic, messages: [0, 1].map((n) => ({ key: 'k', value: JSON.stringify({ n }), headers: { origin: 'test' } })) });
    }

    await waitFor(
      'flaky, poison and manual handled',
      () => handledValues.flaky.length === 2 && handledValues.poison.length === 1 && handledValues.manual.length === 2,
      20_000,
      50,
    );
    expect(handledValues.manual).toEqual([JSON.stringify({ n: 0 }), JSON.stringify({ n: 1 })]);
    expect(handledValues.flaky).toEqual(['0@3', '1@1']);
    expect(attempts.poison.slice(0, 3)).toEqual([1, 2, 3]);

    const dlt = client.consumer();
    const dead: { value: string; headers: Record<string, string> }[] = [];
    dlt.assign([{ topic: 'poison.dlt', partition: 0, offset: 0 }]);
    await dlt.run({
      eachMessage: async ({ message }) => {
        dead.push({ value: message.value?.toString() ?? '', headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.toString()])) });
      },
    });
    await waitFor('the dead letter', () => dead.length === 1, 10_000, 50);
    expect(dead[0].value).toBe(JSON.stringify({ n: 0 }));
    expect(dead[0].headers).toMatchObject({
      origin: 'test',
      [DeadLetterHeaders.topic]: 'poison',
      [DeadLetterHeaders.partition]: '0',
      [DeadLetterHeaders.offset]: '0',
      [DeadLetterHeaders.error]: 'poison record',
    });
    await dlt.disconnect();

    // stuck: two attempts, then the partition pauses on offset 0: record 1 is not handed out
    await waitFor('stuck attempts', () => attempts.stuck.length >= 2, 10_000, 50);
    await sleep(1500);
    expect(attempts.stuck).toEqual([1, 2]);
    expect(handledValues.stuck).toEqual([]);
    await close(app); // leaving commits positions: stuck's must still be the failed record
    const [stuck] = await admin.groups().fetchOffsets('stuck-group');
    expect(stuck?.offset ?? -1).toBeLessThanOrEqual(0);
    const [poison] = await admin.groups().fetchOffsets('poison-group');
    expect(poison?.offset).toBe(2);
    const [manual] = await admin.groups().fetchOffsets('manual-group');
    expect(manual?.offset).toBe(1);
  });

  it('a handler slower than the session timeout keeps its partition: heartbeats go on', async () => {
    await createTopic('slow', 1);
    const app = await boot({ imports: [TributaryModule.forRoot(options('slow'))], providers: [SlowListener] });
    const [before] = await admin.groups().describeGroups(['slow-group']);
    const startedAt = Date.now();
    await app.get<Producer>(TRIBUTARY_PRODUCER).send({ topic: 'slow', messages: [0, 1, 2].map((n) => ({ value: JSON.stringify({ n }) })) });
    await waitFor('the slow records handled', () => slowHandled.length === 3, 20_000, 50);
    const [after] = await admin.groups().describeGroups(['slow-group']);
    console.log(
      `slow handler: 3 records in ${Date.now() - startedAt} ms (the first took 5000 ms, session timeout 3000 ms); generation ${before.generationId} -> ${after.generationId}`,
    );
    expect(slowHandled).toEqual([0, 1, 2]);
    expect(after.members).toHaveLength(1);
    expect(after.generationId).toBe(before.generationId);
    await close(app);
  });

  it('the terminus indicator: up with the group joined; down while the cluster is stopped; up when it returns', async () => {
    await createTopic('health', 1);
    @Injectable()
    class HealthListener {
      @TributaryListener({ topic: 'health', groupId: 'health-group' })
      async on(): Promise<void> {}
    }
    const app = await boot({ imports: [TributaryModule.forRoot({ ...options('health'), isGlobal: true })], providers: [HealthListener] });
    const health = app.get(TributaryHealthIndicator);
    expect(app.get<Admin>(TRIBUTARY_ADMIN)).toBeDefined();
    const up = await health.isHealthy('tributary', { groupId: 'health-group', maxLag: 100 });
    expect(up.tributary).toMatchObject({ status: 'up', brokers: 1, members: 1, lag: 0 });
    expect((await health.isHealthy('tributary', { groupId: 'no-such-group' })).tributary.status).toBe('down');
    expect((await health.isHealthy('tributary', { groupId: 'health-group', maxLag: -1 })).tributary).toMatchObject({
      status: 'down',
      lag: 0,
      message: 'lag 0 is above -1',
    });

    await cluster.brokers[0].stop();
    const downAt = Date.now();
    const down = await health.isHealthy('tributary', { timeoutMs: 2000 });
    console.log(`health with the cluster stopped: ${JSON.stringify(down)} after ${Date.now() - downAt} ms`);
    expect(down.tributary.status).toBe('down');

    await cluster.brokers[0].start();
    const backAt = Date.now();
    await waitFor('health up again', async () => (await health.isHealthy('tributary', { timeoutMs: 2000 })).tributary.status === 'up', 30_000, 200);
    console.log(`health up ${Date.now() - backAt} ms after the broker restarted`);
    await close(app);
  });
});
