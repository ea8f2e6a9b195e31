import {
  CONTROLLER_LEASE_TRUST,
  CREATE_TOPICS_CLAIM_POLL_MS,
  createTopicsClaimWaitMs,
  GROUP_TICK_MS,
  interBrokerRequestTimeoutMs,
  leaseRenewIntervalMs,
  MAX_PARTITIONS_PER_TOPIC,
  MAX_REPLICATION_FACTOR,
  redisCommandTimeoutMs,
  replicationTickMs,
} from './derived-timings';

// The values the broker had when they were literals in broker-node.ts, the controller, the
// group coordinator and the registration; naming them must not have moved any.
describe('derived timings', () => {
  it('renews a lease at a third of it, never more often than every 100 ms', () => {
    expect([leaseRenewIntervalMs(6000), leaseRenewIntervalMs(5000), leaseRenewIntervalMs(500), leaseRenewIntervalMs(200)]).toEqual([2000, 1666, 166, 100]);
  });

  it('bounds Redis commands, peer requests and the replication tick by the leader lease', () => {
    expect([redisCommandTimeoutMs(1500), redisCommandTimeoutMs(4000)]).toEqual([5000, 8000]);
    expect([interBrokerRequestTimeoutMs(300), interBrokerRequestTimeoutMs(1500)]).toEqual([1000, 1500]);
    expect([replicationTickMs(1500), replicationTickMs(300), replicationTickMs(150)]).toEqual([375, 75, 50]);
    expect([createTopicsClaimWaitMs(1500), CREATE_TOPICS_CLAIM_POLL_MS]).toEqual([3000, 20]);
  });

  it('keeps the controller and group constants', () => {
    expect([CONTROLLER_LEASE_TRUST, GROUP_TICK_MS, MAX_REPLICATION_FACTOR, MAX_PARTITIONS_PER_TOPIC]).toEqual([0.8, 100, 100, 100_000]);
  });
});
