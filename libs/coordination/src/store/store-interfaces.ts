import type { BrokerInfo } from '@tributary/protocol';
import type { BrokerClaim, BrokerIncarnation, ClusterSnapshot, PartitionState, TopicRecord, TopicTombstone } from '../types';

/**
 * The narrow views of cluster state in Redis that broker code depends on. ClusterStore
 * implements all of them over one connection; callers name only the view they need, and none
 * of them sees a Redis client or a key.
 */

/** Broker identity (KIP-380): one live process per id, an epoch per incarnation. */
export interface BrokerRegistry {
  /** the new broker epoch, or the live holder of the id */
  claimBrokerId(info: BrokerInfo, token: string, ttlMs: number, takeoverToken?: string, epochFloor?: number): Promise<BrokerClaim>;
  renewBrokerId(info: BrokerInfo, token: string, brokerEpoch: number, ttlMs: number): Promise<'renewed' | 'reborn' | 'fenced'>;
  releaseBrokerId(id: number, token: string): Promise<boolean>;
  /** -1 when the id never registered */
  brokerEpoch(id: number): Promise<number>;
  liveBrokers(): Promise<BrokerInfo[]>;
}

/** The cluster's inter-broker secret when none is configured: the first start's candidate wins. */
export interface InterBrokerSecretStore {
  ensureInterBrokerSecret(candidate: string): Promise<{ secret: string; created: boolean }>;
}

/** The controller lease and the topic records only the controller writes. */
export interface ControllerStore {
  /** the controller epoch while held by `brokerId`, else 0 */
  acquireController(brokerId: number, ttlMs: number): Promise<number>;
  releaseController(brokerId: number): Promise<void>;
  controllerId(): Promise<number>;
  /** 'deleting': the name's previous incarnation is still being deleted */
  createTopic(topic: TopicRecord, partitions: PartitionState[], controllerEpoch: number): Promise<'created' | 'exists' | 'deleting' | 'stale-controller'>;
  getTopic(name: string): Promise<TopicRecord | null>;
  /** compare-and-set of a topic's record (its configs) on what the caller read */
  updateTopic(expected: TopicRecord, next: TopicRecord, controllerEpoch: number): Promise<'updated' | 'changed' | 'stale-controller'>;
  /** grows a topic: the record's new count and the new partitions' states in one step */
  addPartitions(
    expected: TopicRecord,
    next: TopicRecord,
    added: PartitionState[],
    controllerEpoch: number,
  ): Promise<'updated' | 'changed' | 'stale-controller'>;
}

export type LeadershipRefusal = 'lease-held' | 'not-in-isr' | 'no-partition' | 'not-a-replica' | 'stale-broker-epoch';

/** Partition leader leases and elections, in Redis time, fenced by broker epoch. */
export interface LeadershipStore {
  isLeaderLeaseHeld(topic: string, partition: number): Promise<boolean>;
  renewLeaderLease(topic: string, partition: number, broker: BrokerIncarnation, leaderEpoch: number, ttlMs: number): Promise<boolean>;
  claimLeadership(
    topic: string,
    partition: number,
    broker: BrokerIncarnation,
    ttlMs: number,
    allowUnclean: boolean,
    latestLogEpoch?: number,
  ): Promise<{ epoch: number } | { refused: LeadershipRefusal }>;
  partitionState(topic: string, partition: number): Promise<PartitionState | null>;
  partitionStates(topic: string): Promise<PartitionState[]>;
}

/** The ISR, changed only by compare-and-set on (leader, leader epoch, broker epoch). */
export interface IsrStore {
  updateIsr(
    topic: string,
    partition: number,
    leader: BrokerIncarnation,
    leaderEpoch: number,
    isr: number[],
  ): Promise<'updated' | 'stale' | 'leader-missing' | 'stale-broker-epoch'>;
  partitionState(topic: string, partition: number): Promise<PartitionState | null>;
}

export type ElectLeaderOutcome =
  { epoch: number } | { refused: 'no-partition' | 'stale-controller' | 'stale-epoch' | 'not-in-isr' | 'not-live' | 'already-leader' };

/** Partition reassignment (KIP-455) and leader elections the controller drives, fenced on its controller epoch. */
export interface ReassignmentStore {
  beginReassignment(
    topic: string,
    partition: number,
    target: number[],
    controllerEpoch: number,
  ): Promise<'started' | 'unchanged' | 'no-partition' | 'stale-controller'>;
  completeReassignment(
    topic: string,
    partition: number,
    leaderEpoch: number,
    controllerEpoch: number,
  ): Promise<'completed' | 'not-reassigning' | 'no-partition' | 'stale-controller' | 'stale-epoch' | 'not-in-isr' | 'leader-leaving'>;
  electLeader(topic: string, partition: number, newLeader: number, leaderEpoch: number, controllerEpoch: number, leaseMs: number): Promise<ElectLeaderOutcome>;
  partitionState(topic: string, partition: number): Promise<PartitionState | null>;
  snapshot(): Promise<ClusterSnapshot>;
}

/** Everything a broker or client needs to route requests. */
export interface MetadataSource {
  readonly cluster: string;
  snapshot(): Promise<ClusterSnapshot>;
}

export type TopicDeletionOutcome =
  { outcome: 'deleted' | 'deleting'; tombstone: TopicTombstone } | { outcome: 'unknown' | 'stale-controller'; tombstone?: undefined };

/**
 * Topic deletion (KIP-516 ids): the controller removes a topic from metadata and leaves a
 * tombstone in one step; brokers acknowledge once their replicas of that incarnation are gone;
 * the deletion job removes what is keyed by name and clears the tombstone last.
 */
export interface TopicDeletionStore {
  /** 'deleting': already removed, its job still runs (the same tombstone comes back) */
  deleteTopic(name: string, controllerEpoch: number): Promise<TopicDeletionOutcome>;
  topicTombstones(): Promise<TopicTombstone[]>;
  ackTopicDeletion(topicId: string, brokerId: number): Promise<void>;
  topicDeletionAcks(topicId: string): Promise<number[]>;
  deleteTopicStreamsAndLeases(name: string, partitionCount: number): Promise<number>;
  /** false when there was nothing to clear (done already) */
  clearTopicTombstone(name: string, topicId: string): Promise<boolean>;
}
