import { z } from 'zod';
import type { ResponseBase } from './messages';
import { rejectDuplicatePartitions, RequestLimits } from './request-limits';
import { requestParser } from './request-parser';

/**
 * A follower's log-end reports to its leader over the peer WebSocket (Kafka's follower fetch
 * offsets, sent on their own): one request per leader per event-loop turn, carrying every
 * partition the follower moved in that turn. Only a connection that proved it is broker
 * `replicaId` (the inter-broker handshake) may send it; the leader applies each report for that
 * proven broker, never for a broker the payload names otherwise.
 */
export interface ReplicaProgressReport {
  topic: string;
  partition: number;
  /** the leader epoch the follower is in: a leader of another epoch ignores the report */
  leaderEpoch: number;
  /** the follower's log end offset: it holds every record below it */
  logEndOffset: number;
}

export interface ReplicaProgressRequest {
  /** the sending broker, which must be the one its connection authenticated as */
  replicaId: number;
  /** the sender's broker epoch (KIP-380), which must be the one its connection proved */
  brokerEpoch: number;
  reports: ReplicaProgressReport[];
}

/** Reports for partitions this broker does not lead (or in another epoch) are ignored, not refused: the follower learns of a new leader from metadata. */
export type ReplicaProgressResponse = ResponseBase;

const replicaProgress = z.object({
  replicaId: z.number().int().min(0).max(0x7fffffff),
  brokerEpoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  reports: z
    .array(
      z.object({
        topic: z.string().min(1).max(RequestLimits.maxNameLength),
        partition: z.number().int().min(0).max(0x7fffffff),
        leaderEpoch: z.number().int().min(-1).max(0x7fffffff),
        logEndOffset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      }),
    )
    .min(1)
    .max(RequestLimits.maxPartitionsPerRequest)
    .superRefine(rejectDuplicatePartitions),
});

export const parseReplicaProgress = requestParser<ReplicaProgressRequest>('replicaProgress', replicaProgress);
