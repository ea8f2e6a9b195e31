import { z } from 'zod';

const MiB = 1024 * 1024;
const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

/**
 * The broker's limits, Kafka-named where Kafka has the setting. Every input is bounded
 * before work starts, so no single client can take memory, files or the event loop from
 * the others.
 */
export const limitSettings = {
  /** fetch.max.bytes: the most one fetch response carries, whatever the client asks (Kafka's 55 MiB is one TCP stream; ours is one socket.io attachment) */
  FETCH_MAX_BYTES: int(1024, 1024 * MiB, 16 * MiB),
  /** max.partition.fetch.bytes applied on the broker: the most one partition adds to a fetch (at least one whole batch still goes out, KIP-74) */
  MAX_PARTITION_FETCH_BYTES: int(1024, 1024 * MiB, 8 * MiB),
  /** replicas (not just leaders) a broker may be assigned; createTopics over it is POLICY_VIOLATION before anything is created */
  MAX_PARTITIONS_PER_BROKER: int(1, 1_000_000, 4000),
  /** requests a connection may have running at once; further ones wait in a bounded queue */
  MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION: int(1, 10_000, 32),
  /** requests that may wait behind the in-flight ones; beyond it THROTTLING_QUOTA_EXCEEDED */
  MAX_QUEUED_REQUESTS_PER_CONNECTION: int(0, 100_000, 256),
  /** response bytes a connection may have unsent; over it no new response is built and its reads pause */
  CONNECTION_SEND_BUFFER_MAX_BYTES: int(64 * 1024, 1024 * MiB, 16 * MiB),
  /** browser origins allowed to open a WebSocket: comma-separated origins, or '*'; unset: same host and localhost (connections without an Origin are always allowed) */
  ALLOWED_ORIGINS: z.string().regex(/^\s*(\*|[^,\s]+(\s*,\s*[^,\s]+)*)\s*$/, "use '*' or a comma-separated list of origins such as https://console.example:8443").optional(),
};

type LimitInput = z.output<z.ZodObject<typeof limitSettings>>;

export interface BrokerLimits {
  fetchMaxBytes: number;
  maxPartitionFetchBytes: number;
  maxPartitionsPerBroker: number;
  maxInFlightRequestsPerConnection: number;
  maxQueuedRequestsPerConnection: number;
  connectionSendBufferMaxBytes: number;
  /** null: the default policy (same host and localhost); ['*']: any */
  allowedOrigins: string[] | null;
}

export function readLimits(c: LimitInput): BrokerLimits {
  return {
    fetchMaxBytes: c.FETCH_MAX_BYTES,
    maxPartitionFetchBytes: c.MAX_PARTITION_FETCH_BYTES,
    maxPartitionsPerBroker: c.MAX_PARTITIONS_PER_BROKER,
    maxInFlightRequestsPerConnection: c.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
    maxQueuedRequestsPerConnection: c.MAX_QUEUED_REQUESTS_PER_CONNECTION,
    connectionSendBufferMaxBytes: c.CONNECTION_SEND_BUFFER_MAX_BYTES,
    allowedOrigins: c.ALLOWED_ORIGINS === undefined ? null : c.ALLOWED_ORIGINS.split(',').map((o) => o.trim()),
  };
}

/** Frame overhead a produce request adds around its batches (topic, partition, length). */
export const PRODUCE_FRAME_OVERHEAD = 1024;

/** Checks between settings; returns a message naming them, or null. */
export function checkLimits(c: LimitInput & { MAX_REQUEST_BYTES: number }): string | null {
  if (c.MAX_PARTITION_FETCH_BYTES > c.FETCH_MAX_BYTES) {
    return `MAX_PARTITION_FETCH_BYTES='${c.MAX_PARTITION_FETCH_BYTES}' must not exceed FETCH_MAX_BYTES='${c.FETCH_MAX_BYTES}'`;
  }
  // The default topic's largest batch (max.message.bytes, 1 MiB + 12) must fit one request.
  if (c.MAX_REQUEST_BYTES < MiB + PRODUCE_FRAME_OVERHEAD) {
    return `MAX_REQUEST_BYTES='${c.MAX_REQUEST_BYTES}' must be at least ${MiB + PRODUCE_FRAME_OVERHEAD}, so a batch at the default max.message.bytes fits one request`;
  }
  return null;
}
