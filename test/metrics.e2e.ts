import * as path from 'path';
import { Tributary } from '@tributary/client';
import { BrokerProcess } from './support/broker-process';
import { freePort, sleep, waitFor } from './support/free-port';
import { httpGet, scrape, sum, type Sample } from './support/prometheus-text';
import { waitForFullIsr } from './support/replication-helpers';
import { TcpProxy } from './support/tcp-proxy';
import { TestCluster } from './support/test-cluster';

jest.setTimeout(120_000);

/**
 * Issue 14: every broker serves Prometheus metrics and health probes on its HTTP port. A real
 * three-broker cluster under load: the named metrics carry plausible values (records in equals
 * records produced), a SIGSTOPped follower makes partitions under-replicated and SIGCONT heals
 * them; /health/ready answers 503 until the broker registered and loaded, and while its Redis
 * session is lost.
 */
const ENV = { LEADER_LEASE_MS: '1000', REPLICA_LAG_TIME_MAX_MS: '2000', BROKER_SESSION_TIMEOUT_MS: '20000', METADATA_REFRESH_MS: '500' };
const TOPIC = 'metered';
// Two partitions over three brokers: one broker leads none, and is the follower the test stops.
const PARTITIONS = 2;

let cluster: TestCluster;
const clients: Tributary[] = [];
const extra: BrokerProcess[] = [];
const proxies: TcpProxy[] = [];
const http = (b: BrokerProcess) => `http://127.0.0.1:${b.options.port}`;
const scrapeAll = async (brokers = cluster.brokers): Promise<Sample[]> => (await Promise.all(brokers.map((b) => scrape(http(b))))).flat();

beforeAll(async () => {
  cluster = await TestCluster.start({ brokers: 3, brokerEnv: ENV });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect().catch(() => undefined)));
  await Promise.all(extra.map((b) => b.kill('SIGKILL')));
  for (const p of proxies) await p.close();
  await cluster?.stop();
});

describe('/metrics (real brokers under load)', () => {
  it('reports the named metrics with plausible values, and under-replicated partitions while a follower is stopped', async () => {
    const client = new Tributary({
      brokers: cluster.brokers.map((b) => b.url),
      requestTimeoutMs: 5000,
      retry: { retries: 40, initialRetryTime: 50, maxRetryTime: 500 },
    });
    clients.push(client);
    const admin = client.admin();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] });
    await waitForFullIsr(admin, TOPIC, 3);
    const producer = client.producer({ acks: 'all', lingerMs: 2 });
    const send = async (from: number, count: number): Promise<void> => {
      for (let i = from; i < from + count; i += 100) {
        await producer.send({ topic: TOPIC, messages: Array.from({ length: 100 }, (_, j) => ({ key: `k${(i + j) % 17}`, value: `record-${i + j}` })) });
      }
    };
    await send(0, 2000);
    // A group reads the first 2000 and commits them; 1000 more are produced after it left: its lag is 1000.
    const consumer = client.consumer({
      groupId: 'metered-readers',
      sessionTimeoutMs: 3000,
      heartbeatIntervalMs: 300,
      autoCommitIntervalMs: 100,
      maxWaitMs: 100,
    });
    let seen = 0;
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({ eachMessage: async () => void seen++ });
    await waitFor('the group to read 2000 records', () => seen >= 2000, 30_000);
    await consumer.commitOffsets();
    await consumer.disconnect();
    await send(2000, 1000);

    const m = await scrapeAll();
    const figures = {
      messagesIn: sum(m, 'tributary_server_brokertopicmetrics_messages_in_total', { topic: TOPIC }),
      bytesIn: sum(m, 'tributary_server_brokertopicmetrics_bytes_in_total', { topic: TOPIC }),
      bytesOut: sum(m, 'tributary_server_brokertopicmetrics_bytes_out_total', { topic: TOPIC }),
      produceRequests: sum(m, 'tributary_network_requestmetrics_total_time_seconds_count', { request: 'produce', error: 'NONE' }),
      fetchRequests: sum(m, 'tributary_network_requestmetrics_total_time_seconds_count', { request: 'fetch' }),
      leaders: sum(m, 'tributary_server_replicamanager_leader_count'),
      replicas: sum(m, 'tributary_server_replicamanager_partition_count'),
      underReplicated: sum(m, 'tributary_server_replicamanager_under_replicated_partitions'),
      offline: sum(m, 'tributary_controller_kafkacontroller_offline_partitions_count'),
      controllers: sum(m, 'tributary_controller_kafkacontroller_active_controller_count'),
      logBytes: sum(m, 'tributary_log_log_size_bytes', { topic: TOPIC }),
      groupLag: sum(m, 'tributary_consumergroup_lag', { group: 'metered-readers', topic: TOPIC }),
      connections: sum(m, 'tributary_server_socketservermetrics_connection_count'),
      redisRtt: Math.min(...m.filter((s) => s.name === 'tributary_coordination_redis_round_trip_seconds').map((s) => s.value)),
      eventLoopLag: m.filter((s) => s.name === 'nodejs_eventloop_lag_seconds').length,
      gc: m.filter((s) => s.name.startsWith('nodejs_gc_duration_seconds')).length,
    };
    console.log('metrics after 3000 records:', figures);
    expect(figures).toMatchObject({
      messagesIn: 3000,
      leaders: PARTITIONS,
      replicas: PARTITIONS * 3,
      underReplicated: 0,
      offline: 0,
      controllers: 1,
      groupLag: 1000,
      eventLoopLag: 3,
    });
    expect(figures.bytesIn).toBeGreaterThan(3000 * 'record-0'.length);
    expect(figures.bytesOut).toBeGreaterThan(2000 * 'record-0'.length);
    expect(figures.produceRequests).toBeGreaterThanOrEqual(30);
    expect(figures.fetchRequests).toBeGreaterThan(0);
    expect(figures.logBytes).toBeGreaterThan(3 * figures.bytesIn * 0.9);
    expect(figures.connections).toBeGreaterThan(0);
    expect(figures.redisRtt).toBeGreaterThan(0);
    expect(figures.gc).toBeGreaterThan(0);
    // Per partition: every replica's log ends at the same offset, and the leaders' ends add up to what was produced.
    const ends = m.filter((s) => s.name === 'tributary_log_log_end_offset' && s.labels.topic === TOPIC);
    expect(ends).toHaveLength(PARTITIONS * 3);
    const byPartition = new Map<string, Set<number>>();
    for (const s of ends) byPartition.set(s.labels.partition, (byPartition.get(s.labels.partition) ?? new Set()).add(s.value));
    expect([...byPartition.values()].every((v) => v.size === 1)).toBe(true);
    expect([...byPartition.values()].reduce((n, v) => n + [...v][0], 0)).toBe(3000);

    // A follower stopped past the lag time leaves the ISR: its leaders report under-replicated partitions.
    const leaders = new Set((await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0].partitions.map((p) => p.leader));
    const follower = cluster.brokers.find((b) => !leaders.has(b.id));
    if (!follower) throw new Error(`every broker leads a partition (${[...leaders].join(', ')})`);
    const others = cluster.brokers.filter((b) => b !== follower);
    await follower.kill('SIGSTOP');
    let load = true;
    const loading = (async () => {
      for (let i = 3000; load; i += 100) await send(i, 100).catch(() => sleep(50));
    })();
    let during: Sample[] = [];
    try {
      const stoppedAt = Date.now();
      await waitFor(
        'under-replicated partitions > 0 on the live brokers',
        async () => sum((during = await scrapeAll(others)), 'tributary_server_replicamanager_under_replicated_partitions') > 0,
        30_000,
        250,
      );
      console.log(`under-replicated after ${Date.now() - stoppedAt} ms with broker ${follower.id} stopped:`, {
        underReplicated: sum(during, 'tributary_server_replicamanager_under_replicated_partitions'),
        isrShrinks: sum(during, 'tributary_server_replicamanager_isr_shrinks_total'),
        followerLag: sum(during, 'tributary_server_fetcherlagmetrics_consumer_lag', { replica: String(follower.id) }),
      });
      expect(sum(during, 'tributary_server_replicamanager_isr_shrinks_total')).toBeGreaterThan(0);
      expect(sum(during, 'tributary_server_fetcherlagmetrics_consumer_lag', { replica: String(follower.id) })).toBeGreaterThan(0);
    } finally {
      load = false;
      await loading;
      await follower.kill('SIGCONT');
    }
    const contAt = Date.now();
    let after: Sample[] = [];
    await waitFor(
      'under-replicated partitions back to 0',
      async () => sum((after = await scrapeAll()), 'tributary_server_replicamanager_under_replicated_partitions') === 0,
      30_000,
      250,
    );
    console.log(
      `under-replicated back to 0 ${Date.now() - contAt} ms after SIGCONT; ISR expands:`,
      sum(after, 'tributary_server_replicamanager_isr_expands_total'),
    );
    expect(sum(after, 'tributary_server_replicamanager_isr_expands_total')).toBeGreaterThan(0);
    await producer.disconnect();
    await admin.disconnect();
  });
});

describe('/health', () => {
  it('ready answers 503 until the broker registered and loaded, then 200, and 503 again once its Redis session is lost; live answers 200 throughout', async () => {
    // The fourth broker reaches Redis through a proxy that first delays every packet by a second,
    // so its start (registration, metadata, logs) takes many seconds, then is cut off.
    const proxy = await TcpProxy.start(cluster.redis.port);
    proxies.push(proxy);
    proxy.delay(1000);
    const first = cluster.brokers[0].options;
    const broker = new BrokerProcess({
      id: 4,
      port: await freePort(),
      redisUrl: proxy.redisUrl,
      dataDir: path.join(cluster.dir, 'broker-4'),
      clusterId: first.clusterId,
      env: ENV,
    });
    extra.push(broker);
    const base = http(broker);
    const seen: string[] = [];
    const probe = async (): Promise<{ live: number | null; ready: number | null }> => {
      const [live, ready] = await Promise.all([httpGet(`${base}/health/live`, 1000), httpGet(`${base}/health/ready`, 1000)]);
      const r = { live: live?.status ?? null, ready: ready?.status ?? null };
      // recorded from the first answer on: before it, the port is not open yet
      if ((seen.length > 0 || r.live !== null) && seen[seen.length - 1] !== `${r.live}/${r.ready}`) seen.push(`${r.live}/${r.ready}`);
      return r;
    };
    broker.spawn();
    await waitFor('the HTTP port to answer', async () => (await probe()).live === 200, 20_000, 50);
    // Registration is under way behind the slow link: not ready, but live.
    const notReadyWhileStarting = await probe();
    expect(notReadyWhileStarting).toEqual({ live: 200, ready: 503 });
    const body = await httpGet(`${base}/health/ready`);
    console.log('ready while starting:', body?.body);
    proxy.pass();
    await waitFor('ready', async () => (await probe()).ready === 200, 30_000, 100);
    // The Redis link goes silent: within about a lease the broker's view is stale, and it says so.
    const cutAt = Date.now();
    proxy.blackhole();
    await waitFor('not ready once Redis is unreachable', async () => (await probe()).ready === 503, 20_000, 100);
    console.log(`ready -> 503 ${Date.now() - cutAt} ms after the Redis link was cut; live/ready transitions seen:`, seen);
    expect((await probe()).live).toBe(200);
    proxy.pass();
    await waitFor('ready again once Redis answers', async () => (await probe()).ready === 200, 20_000, 100);
    expect(seen).toEqual(['200/503', '200/200', '200/503', '200/200']);
  });
});
