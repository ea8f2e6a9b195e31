/**
 * Timings and bounds that are not settings: each follows from a setting (mostly a lease) or
 * from how the code works, so an operator tuning it could only break the relation it keeps.
 * The settings themselves are in broker-settings.ts.
 */

/**
 * A lease (broker registration, controller, group coordinator) is renewed at a third of its
 * length, so two lost renewals in a row still leave it held; never more often than every
 * 100 ms, so a short lease does not turn into a stream of Redis writes.
 */
export function leaseRenewIntervalMs(leaseMs: number): number {
  return Math.max(100, Math.floor(leaseMs / 3));
}

/**
 * The controller acts for 80% of its lease, counted from before the claim was sent, so a slow
 * reply or a clock running a little fast never lets it act after a successor could hold it.
 */
export const CONTROLLER_LEASE_TRUST = 0.8;

/**
 * Highest replication factor a topic may have: each ISR change decodes and rewrites the
 * partition's state, replica and ISR lists included, in one Lua call; a hundred replicas is
 * far past any real cluster and keeps that write small. The per-broker budget
 * (MAX_PARTITIONS_PER_BROKER) is the operator's knob.
 */
export const MAX_REPLICATION_FACTOR = 100;

/**
 * Most partitions one topic may have: the controller writes every partition's state in one
 * Lua call, which blocks the coordination Redis while it runs; 100,000 keeps that call short
 * of a lease. MAX_PARTITIONS_PER_BROKER bounds what a cluster holds in total.
 */
export const MAX_PARTITIONS_PER_TOPIC = 100_000;

/**
 * How often a group coordinator checks session and rebalance deadlines: a member is expired
 * at most this late, a fifth of the shortest session timeout allowed by default
 * (GROUP_MIN_SESSION_TIMEOUT_MS, 500 ms), while an idle broker wakes only 10 times a second.
 */
export const GROUP_TICK_MS = 100;

/**
 * Redis commands are bounded so a blackholed link cannot hang a lease claim or an ISR write for
 * the whole cut: twice the leader lease (the claim is worthless by then), never under 5 s so a
 * loaded Redis is not mistaken for a dead one; the blocking stream reads wait 500 ms, well inside.
 */
export function redisCommandTimeoutMs(leaderLeaseMs: number): number {
  return Math.max(5000, leaderLeaseMs * 2);
}

/**
 * Replica fetches answer at once (maxWaitMs 0), so a peer that does not answer within a leader
 * lease is treated as gone; never under 1 s so one slow event loop turn is not a lost peer.
 */
export function interBrokerRequestTimeoutMs(leaderLeaseMs: number): number {
  return Math.max(1000, leaderLeaseMs);
}

/**
 * The replication service ticks every partition actor (lease renewal, ISR checks) four times
 * per leader lease, so a leader renews well before it stops acknowledging at 75% of the lease
 * and a stalled follower is seen within a lease; never more often than every 50 ms.
 */
export function replicationTickMs(leaderLeaseMs: number): number {
  return Math.max(50, Math.floor(leaderLeaseMs / 4));
}

/**
 * createTopics answers once every new partition's first leader has claimed its epoch, waiting
 * at most two leader leases (one claim attempt and a retry after a lost reply), so clients are
 * spared a round of NOT_LEADER retries but a lost claim never holds the answer up for long.
 */
export function createTopicsClaimWaitMs(leaderLeaseMs: number): number {
  return leaderLeaseMs * 2;
}

/** How often createTopics re-reads the new partitions' states while it waits for their claims. */
export const CREATE_TOPICS_CLAIM_POLL_MS = 20;
