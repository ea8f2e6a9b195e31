import { ConfigError, loadBrokerConfig } from './broker-config';

describe('loadBrokerConfig', () => {
  const base = { BROKER_ID: '1', PORT: '9092', DATA_DIR: '/tmp/x' };

  it('applies defaults', () => {
    const c = loadBrokerConfig(base);
    expect(c).toMatchObject({ brokerId: 1, port: 9092, host: '127.0.0.1', redisUrl: 'redis://127.0.0.1:6379', leaderLeaseMs: 1500 });
    expect(c.interBrokerHost).toBe('127.0.0.1');
  });

  it('lets peers reach a broker at another host than clients do', () => {
    expect(loadBrokerConfig({ ...base, ADVERTISED_HOST: 'localhost' }).interBrokerHost).toBe('localhost');
    const c = loadBrokerConfig({ ...base, HOST: '0.0.0.0', ADVERTISED_HOST: 'localhost', INTER_BROKER_HOST: 'broker-1' });
    expect([c.advertisedHost, c.interBrokerHost]).toEqual(['localhost', 'broker-1']);
  });

  it('has the limits with their defaults', () => {
    const c = loadBrokerConfig(base);
    expect(c.maxRequestBytes).toBe(8 * 1024 * 1024);
    expect(c.limits).toEqual({
      fetchMaxBytes: 16 * 1024 * 1024,
      maxPartitionFetchBytes: 8 * 1024 * 1024,
      maxPartitionsPerBroker: 4000,
      maxInFlightRequestsPerConnection: 32,
      maxQueuedRequestsPerConnection: 256,
      connectionSendBufferMaxBytes: 16 * 1024 * 1024,
      allowedOrigins: null,
    });
    expect(loadBrokerConfig({ ...base, ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080' }).limits.allowedOrigins).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
    expect(loadBrokerConfig({ ...base, ALLOWED_ORIGINS: '*' }).limits.allowedOrigins).toEqual(['*']);
  });

  it.each([
    [{ MAX_PARTITION_FETCH_BYTES: String(32 * 1024 * 1024) }, /MAX_PARTITION_FETCH_BYTES='33554432' must not exceed FETCH_MAX_BYTES/],
    [{ MAX_REQUEST_BYTES: '65536' }, /MAX_REQUEST_BYTES='65536' must be at least/],
    [{ MAX_PARTITIONS_PER_BROKER: '0' }, /MAX_PARTITIONS_PER_BROKER='0'/],
    [{ ALLOWED_ORIGINS: 'a,,b' }, /ALLOWED_ORIGINS='a,,b'/],
    [{ PORT: 'abc' }, /PORT='abc'/],
    [{ PORT: '70000' }, /PORT='70000'/],
    [{ BROKER_ID: '-1' }, /BROKER_ID='-1'/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL='localhost:6379': must start with redis:\/\//],
    [{ DATA_DIR: undefined }, /DATA_DIR \(not set\)/],
  ])('names the bad setting %p', (override, message) => {
    expect(() => loadBrokerConfig({ ...base, ...override })).toThrow(ConfigError);
    expect(() => loadBrokerConfig({ ...base, ...override })).toThrow(message);
  });

  it('takes an inter-broker secret of at least 32 characters, and never echoes a bad one', () => {
    expect(loadBrokerConfig(base).interBrokerSecret).toBeUndefined();
    const good = 'x'.repeat(32);
    expect(loadBrokerConfig({ ...base, INTER_BROKER_SECRET: good }).interBrokerSecret).toBe(good);
    for (const bad of ['too-short-secret', ' leading-space-then-32-characters-long', 'trailing-space-then-32-characters-long ']) {
      let message = '';
      try {
        loadBrokerConfig({ ...base, INTER_BROKER_SECRET: bad });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).toMatch(/INTER_BROKER_SECRET='<redacted>'/);
      expect(message).not.toContain(bad.trim());
    }
  });

  it('ties the follower stall timeout to the lease unless set, and never above the lag time', () => {
    expect(loadBrokerConfig(base).replicaStallTimeoutMs).toBe(1500);
    expect(loadBrokerConfig({ ...base, LEADER_LEASE_MS: '3000' }).replicaStallTimeoutMs).toBe(3000);
    expect(loadBrokerConfig({ ...base, REPLICA_STALL_TIMEOUT_MS: '800' }).replicaStallTimeoutMs).toBe(800);
    expect(() => loadBrokerConfig({ ...base, REPLICA_STALL_TIMEOUT_MS: '20000' })).toThrow(
      /REPLICA_STALL_TIMEOUT_MS='20000': must not exceed REPLICA_LAG_TIME_MAX_MS/,
    );
    expect(() => loadBrokerConfig({ ...base, REPLICA_STALL_TIMEOUT_MS: '10' })).toThrow(/REPLICA_STALL_TIMEOUT_MS='10'/);
  });

  it('bounds consumer session timeouts as Kafka group.min/max.session.timeout.ms do, with the defaults the coordinator had', () => {
    const c = loadBrokerConfig(base);
    expect([c.groupMinSessionTimeoutMs, c.groupMaxSessionTimeoutMs]).toEqual([500, 1_800_000]);
    const set = loadBrokerConfig({ ...base, GROUP_MIN_SESSION_TIMEOUT_MS: '6000', GROUP_MAX_SESSION_TIMEOUT_MS: '300000' });
    expect([set.groupMinSessionTimeoutMs, set.groupMaxSessionTimeoutMs]).toEqual([6000, 300_000]);
    expect(() => loadBrokerConfig({ ...base, GROUP_MIN_SESSION_TIMEOUT_MS: '60000', GROUP_MAX_SESSION_TIMEOUT_MS: '30000' })).toThrow(
      /GROUP_MIN_SESSION_TIMEOUT_MS='60000': must not exceed GROUP_MAX_SESSION_TIMEOUT_MS \(30000\)/,
    );
    expect(() => loadBrokerConfig({ ...base, GROUP_MIN_SESSION_TIMEOUT_MS: '10' })).toThrow(/GROUP_MIN_SESSION_TIMEOUT_MS='10'/);
  });

  it('lets the stall timeout follow a lease longer than the lag time when it is not set (the node caps it)', () => {
    const c = loadBrokerConfig({ ...base, LEADER_LEASE_MS: '20000' });
    expect([c.replicaStallTimeoutMs, c.replicaLagTimeMaxMs]).toEqual([20_000, 10_000]);
  });

  it('takes log and topic defaults from their owners, and ignores empty variables', () => {
    const c = loadBrokerConfig({ ...base, HOST: '', LOG_SEGMENT_BYTES: '' });
    expect([c.host, c.logSegmentBytes, c.logFlushIntervalMs, c.logMaxOpenSegmentFiles]).toEqual(['127.0.0.1', 1024 * 1024 * 1024, 1000, 10_000]);
  });

  it('names every bad setting at once, and a fallback setting that is bad', () => {
    expect(() => loadBrokerConfig({ ...base, PORT: 'x', FETCH_MAX_BYTES: '1', ADVERTISED_HOST: '' })).toThrow(/PORT='x'.*; FETCH_MAX_BYTES='1'/);
    expect(() => loadBrokerConfig({ ...base, REPLICA_STALL_TIMEOUT_MS: 'soon' })).toThrow(/REPLICA_STALL_TIMEOUT_MS='soon'/);
  });
});
