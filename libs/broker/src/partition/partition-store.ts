import type { IsrStore, LeadershipStore, ReplicationStreamWriter } from '@tributary/coordination';

/**
 * The coordination calls one partition replica makes: elections, lease renewal, the ISR
 * compare-and-set and its read-back. Picked from libs/coordination's narrow stores, so there is
 * one declaration of each call; unit specs use an in-memory implementation with the same fencing rules.
 */
export type PartitionStore = Pick<LeadershipStore, 'claimLeadership' | 'renewLeaderLease' | 'partitionState' | 'isLeaderLeaseHeld'> &
  Pick<IsrStore, 'updateIsr'>;

/** The replication stream calls a replica makes. */
export type PartitionStreams = Pick<ReplicationStreamWriter, 'append' | 'lastId'>;
