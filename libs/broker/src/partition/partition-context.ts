import type { BrokerLogger } from '../logging/broker-logger';
import type { BrokerCounters } from '../metrics/broker-counters';
import type { PeerLinks } from '../replication/broker-links';
import type { MonotonicClock } from './clock';
import type { PartitionStore, PartitionStreams } from './partition-store';

export interface FollowerAck {
  topic: string;
  partition: number;
  leaderId: number;
  leaderEpoch: number;
  logEndOffset: number;
  /** the follower's broker epoch, so its leader can ignore acks from an older incarnation */
  brokerEpoch: number;
}

/** What a partition actor needs from its broker, injected so the actor stays testable. */
export interface PartitionContext {
  brokerId: number;
  /** this incarnation's broker epoch (KIP-380), carried in claims, ISR changes, acks and fetches */
  brokerEpoch(): number;
  /** another broker's current broker epoch from the registry, undefined when it is not live */
  replicaBrokerEpoch(id: number): number | undefined;
  store: PartitionStore;
  streams: PartitionStreams;
  links: PeerLinks;
  /** for lease deadlines and lag/stall timers; the monotonic process clock when omitted */
  clock?: MonotonicClock;
  leaderLeaseMs: number;
  replicaLagTimeMaxMs: number;
  /** an ISR follower that holds data back and has not reported for this long leaves the ISR */
  replicaStallTimeoutMs: number;
  /** catch-up byte rate of a replica a reassignment is adding (REASSIGNMENT_THROTTLE_BYTES_PER_SEC); 0: unthrottled */
  reassignmentThrottleBytesPerSec?: number;
  /** the URL of a live broker, undefined when it is not live */
  brokerUrl(id: number): string | undefined;
  /** asks for fresh metadata (a claim or an ISR change happened) */
  reloadMetadata(): void;
  /** queues a follower's log end report for its leader */
  reportAck(ack: FollowerAck): void;
  /** leadership, ISR and truncation lines; silent when omitted (unit tests) */
  logger?: BrokerLogger;
  /** where appends, consumer reads and ISR changes are counted for the metrics endpoint */
  counters?: BrokerCounters;
}
