import type { ClusterSnapshot } from '@tributary/coordination';
import type { ReplicaManager } from '../partition/replica-manager';

/** One replica on this broker, as the metrics endpoint reports it. */
export interface ReplicaObservation {
  topic: string;
  partition: number;
  isLeader: boolean;
  leaderEpoch: number;
  replicas: number;
  isr: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  sizeBytes: number;
  /** as leader: each follower's lag in records behind the log end (-1 before it reported) */
  followerLags: ReadonlyMap<number, number>;
}

/** A point-in-time view of one broker for `/metrics`: read when scraped, never stored. */
export interface BrokerObservation {
  replicas: ReplicaObservation[];
  /** replicas on this broker whose log failed */
  offlineReplicas: number;
  /** partitions of the cluster without a live leader; counted by the controller only, like Kafka's OfflinePartitionsCount */
  offlinePartitions: number;
  isController: boolean;
  /** the last Redis probe's round trip, ms; NaN before the first */
  redisRoundTripMs: number;
  liveBrokers: number;
}

export function observeBroker(replicas: ReplicaManager, snapshot: ClusterSnapshot, isController: boolean, redisRoundTripMs: number): BrokerObservation {
  const live = new Set(snapshot.brokers.map((b) => b.id));
  let offlinePartitions = 0;
  if (isController) {
    for (const { partitions } of snapshot.topics.values()) for (const p of partitions) if (p.leader < 0 || !live.has(p.leader)) offlinePartitions++;
  }
  return {
    replicas: replicas.all().map((a) => ({
      topic: a.topic,
      partition: a.partition,
      isLeader: a.isLeader,
      leaderEpoch: a.leaderEpoch,
      replicas: a.assignedReplicas,
      isr: a.inSyncReplicas.length,
      logStartOffset: a.log.logStartOffset,
      logEndOffset: a.log.logEndOffset,
      highWatermark: a.committedOffset,
      sizeBytes: a.log.sizeInBytes,
      followerLags: a.followerLags(),
    })),
    offlineReplicas: replicas.offline.all().length,
    offlinePartitions,
    isController,
    redisRoundTripMs,
    liveBrokers: live.size,
  };
}
