import type { Buffer } from 'buffer';
import type { BrokerIncarnation, PartitionState } from '@tributary/coordination';

/**
 * The coordination calls one partition replica makes: elections, lease renewal, the ISR
 * compare-and-set and its read-back. ClusterStore satisfies it structurally; unit specs use an
 * in-memory implementation with the same fencing rules.
 */
export interface PartitionStore {
  claimLeadership(
    topic: string,
    partition: number,
    broker: BrokerIncarnation,
    ttlMs: number,
    allowUnclean: boolean,
    latestLogEpoch?: number,
  ): Promise<{ epoch: number } | { refused: 'lease-held' | 'not-in-isr' | 'no-partition' | 'not-a-replica' | 'stale-broker-epoch' }>;
  renewLeaderLease(topic: string, partition: number, broker: BrokerIncarnation, leaderEpoch: number, ttlMs: number): Promise<boolean>;
  updateIsr(
    topic: string,
    partition: number,
    leader: BrokerIncarnation,
    leaderEpoch: number,
    isr: number[],
  ): Promise<'updated' | 'stale' | 'leader-missing' | 'stale-broker-epoch'>;
  partitionState(topic: string, partition: number): Promise<PartitionState | null>;
  isLeaderLeaseHeld(topic: string, partition: number): Promise<boolean>;
}

/** The replication stream calls a replica makes (ReplicationStreams satisfies it). */
export interface PartitionStreams {
  append(topic: string, partition: number, leaderEpoch: number, baseOffset: number, highWatermark: number, data: Buffer): Promise<unknown>;
  lastId(topic: string, partition: number): Promise<string>;
}
