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

  it.each([
    [{ PORT: 'abc' }, /PORT='abc'/],
    [{ PORT: '70000' }, /PORT='70000'/],
    [{ BROKER_ID: '-1' }, /BROKER_ID='-1'/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL='localhost:6379': must start with redis:\/\//],
    [{ DATA_DIR: undefined }, /DATA_DIR \(not set\)/],
  ])('names the bad setting %p', (override, message) => {
    expect(() => loadBrokerConfig({ ...base, ...override })).toThrow(ConfigError);
    expect(() => loadBrokerConfig({ ...base, ...override })).toThrow(message);
  });

  it('ties the follower stall timeout to the lease unless set, and never above the lag time', () => {
    expect(loadBrokerConfig(base).replicaStallTimeoutMs).toBe(1500);
    expect(loadBrokerConfig({ ...base, LEADER_LEASE_MS: '3000' }).replicaStallTimeoutMs).toBe(3000);
    expect(loadBrokerConfig({ ...base, REPLICA_STALL_TIMEOUT_MS: '800' }).replicaStallTimeoutMs).toBe(800);
    expect(() => loadBrokerConfig({ ...base, REPLICA_STALL_TIMEOUT_MS: '20000' })).toThrow(/REPLICA_STALL_TIMEOUT_MS='20000': must not exceed REPLICA_LAG_TIME_MAX_MS/);
    expect(() => loadBrokerConfig({ ...base, REPLICA_STALL_TIMEOUT_MS: '10' })).toThrow(/REPLICA_STALL_TIMEOUT_MS='10'/);
  });
});
