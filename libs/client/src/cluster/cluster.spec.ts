import { ErrorCode, TributaryError } from '@tributary/protocol';
import { TopicError } from '../errors';
import { FakeCluster } from '../testing/fake-broker';
import { deadUrl, silentServer, testCluster } from '../testing/helpers';

describe('Cluster', () => {
  let fake: FakeCluster;

  beforeEach(async () => {
    fake = await FakeCluster.start(2);
    fake.createTopic('orders', 3, 1);
    fake.setLeader('orders', 2, 2);
  });

  afterEach(() => fake.stop());

  it('bootstraps from any reachable URL and learns every broker and leader', async () => {
    const cluster = testCluster([await deadUrl(), fake.brokers[1].url]);
    await cluster.connect();
    await cluster.addTargetTopics(['orders']);
    expect(cluster.brokers().map((b) => b.id)).toEqual([1, 2]);
    expect(cluster.partitionCount('orders')).toBe(3);
    expect([0, 1, 2].map((p) => cluster.leaderOf('orders', p))).toEqual([1, 1, 2]);
    expect(cluster.leaderConnection('orders', 2).url).toBe(fake.brokers[1].url);
    expect(cluster.connectionFor(1).url).toBe(fake.brokers[0].url);
    await cluster.disconnect();
  });

  it('bootstraps over a list: a refused first broker costs no wait, a blackholed one at most connectionTimeoutMs', async () => {
    // A long connect timeout, so "no wait" is told apart from a spent timeout with room for a loaded machine.
    const refused = testCluster([await deadUrl(), fake.brokers[1].url.replace('ws://', '')], { connectionTimeoutMs: 10_000 });
    let started = Date.now();
    await refused.connect();
    const refusedMs = Date.now() - started;
    process.stdout.write(`bootstrap past a refused broker: ${refusedMs} ms\n`);
    expect(refusedMs).toBeLessThan(5000);
    expect(refused.brokers().map((b) => b.id)).toEqual([1, 2]);
    await refused.disconnect();

    const hole = await silentServer();
    const blackholed = testCluster([hole.url, fake.brokers[1].url], { connectionTimeoutMs: 300 });
    started = Date.now();
    await blackholed.connect();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3000); // one connect timeout spent, with room for a loaded machine
    expect(blackholed.brokers().map((b) => b.id)).toEqual([1, 2]);
    await blackholed.disconnect();
    await hole.close();
  });

  it('asks the bootstrap brokers in the order given, then spreads later refreshes over the known brokers', async () => {
    const cluster = testCluster([fake.brokers[1].url, fake.brokers[0].url]);
    await cluster.connect();
    expect(fake.requests.filter((r) => r.event === 'metadata').map((r) => r.brokerId)).toEqual([2]);
    // a broker that hangs rather than refuses would otherwise be asked first on every refresh
    for (let i = 0; i < 4; i++) await cluster.refreshMetadata();
    const later = fake.requests
      .filter((r) => r.event === 'metadata')
      .slice(1)
      .map((r) => r.brokerId);
    expect(new Set(later)).toEqual(new Set([1, 2]));
    await cluster.disconnect();
  });

  it('throws UNKNOWN_TOPIC_OR_PARTITION when metadata says a topic does not exist', async () => {
    const cluster = testCluster(fake.urls);
    await cluster.connect();
    const err = (await cluster.addTargetTopics(['nope']).catch((e: unknown) => e)) as TopicError;
    expect(err).toBeInstanceOf(TopicError);
    expect(err.code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(err.topic).toBe('nope');
    await cluster.disconnect();
  });

  it('refuses invalid topic names without asking', async () => {
    const cluster = testCluster(fake.urls);
    await expect(cluster.addTargetTopics(['bad name!'])).rejects.toMatchObject({ code: ErrorCode.INVALID_TOPIC_EXCEPTION });
    await cluster.disconnect();
  });

  it('sees a leader change after a refresh; unknown brokers are BROKER_NOT_AVAILABLE', async () => {
    const cluster = testCluster(fake.urls);
    await cluster.addTargetTopics(['orders']);
    fake.setLeader('orders', 0, 2);
    expect(cluster.leaderOf('orders', 0)).toBe(1);
    await cluster.refreshMetadata();
    expect(cluster.leaderOf('orders', 0)).toBe(2);
    expect(() => cluster.connectionFor(9)).toThrow(TributaryError);
    await cluster.disconnect();
  });

  it('shares one metadata request between concurrent refreshes', async () => {
    const cluster = testCluster(fake.urls);
    await cluster.addTargetTopics(['orders']);
    const before = fake.countRequests('metadata');
    await Promise.all([cluster.refreshMetadata(), cluster.refreshMetadata(), cluster.refreshMetadata()]);
    expect(fake.countRequests('metadata') - before).toBe(1);
    await cluster.disconnect();
  });

  it('fails to connect, retriably, when no bootstrap broker is reachable', async () => {
    const cluster = testCluster([await deadUrl()]);
    const err = (await cluster.connect().catch((e: unknown) => e)) as TributaryError;
    expect(err.code).toBe(ErrorCode.NETWORK_EXCEPTION);
    await cluster.disconnect();
  });
});
