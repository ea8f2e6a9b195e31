import { z } from 'zod';
import { TOPIC_CONFIG_DEFAULTS } from '@tributary/protocol';
import { int, setting, type ConfigOf } from './setting';

const MiB = 1024 * 1024;

/**
 * The broker's limits, Kafka-named where Kafka has the setting, keyed by their BrokerLimits
 * field. Every input is bounded before work starts, so no single client can take memory,
 * files or the event loop from the others.
 */
export const limitSettings = {
  /** fetch.max.bytes: the most one fetch response carries, whatever the client asks (Kafka's 55 MiB is one TCP stream; ours is one socket.io attachment) */
  fetchMaxBytes: setting(
    'FETCH_MAX_BYTES',
    int(1024, 1024 * MiB, 16 * MiB),
    "most one fetch response carries, whatever `maxBytes` the client asks (Kafka's `fetch.max.bytes`; smaller than Kafka's 55 MiB because a response is one socket.io attachment)",
  ),
  /** max.partition.fetch.bytes applied on the broker: the most one partition adds to a fetch (at least one whole batch still goes out, KIP-74) */
  maxPartitionFetchBytes: setting(
    'MAX_PARTITION_FETCH_BYTES',
    int(1024, 1024 * MiB, 8 * MiB),
    "most one partition adds to a fetch, whatever `partitionMaxBytes` asks (Kafka's `max.partition.fetch.bytes`, on the broker); at most `FETCH_MAX_BYTES`. As in Kafka (KIP-74) the response's first batch goes out whole even above a limit",
  ),
  maxPartitionsPerBroker: setting(
    'MAX_PARTITIONS_PER_BROKER',
    int(1, 1_000_000, 4000),
    'replicas (leaders and followers) one broker may be assigned; a createTopics that would exceed it on any live broker is `POLICY_VIOLATION`, checked by the controller before anything is created, counting earlier topics of the same request',
  ),
  maxInFlightRequestsPerConnection: setting(
    'MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION',
    int(1, 10_000, 32),
    'requests one connection may have running at once; later ones wait',
  ),
  maxQueuedRequestsPerConnection: setting(
    'MAX_QUEUED_REQUESTS_PER_CONNECTION',
    int(0, 100_000, 256),
    'requests that may wait behind them; beyond it `THROTTLING_QUOTA_EXCEEDED` (retriable)',
  ),
  connectionSendBufferMaxBytes: setting(
    'CONNECTION_SEND_BUFFER_MAX_BYTES',
    int(64 * 1024, 1024 * MiB, 16 * MiB),
    "unsent response bytes a connection may hold (engine.io's queue plus the socket's buffer, plus what running fetches have read); above it no new response is built, fetches are sized to the room left, and the connection's reads pause until its peer reads",
  ),
  /** null: the default policy (same host and localhost); ['*']: any */
  allowedOrigins: setting(
    'ALLOWED_ORIGINS',
    z
      .string()
      .regex(/^\s*(\*|[^,\s]+(\s*,\s*[^,\s]+)*)\s*$/, "use '*' or a comma-separated list of origins such as https://console.example:8443")
      .optional()
      .transform((v): string[] | null => (v === undefined ? null : v.split(',').map((o) => o.trim()))),
    "browser origins allowed to open a WebSocket: comma-separated origins (`https://console.example:8443`) or `*`. Unset: the broker's own host and `localhost`/`127.0.0.1`/`[::1]` on any port. The hosts of the cluster's brokers are always allowed (the web console served by one connects to every partition leader). Connections without an `Origin` header (Node clients, brokers) are always allowed; a refused origin gets a 403 handshake error",
  ),
} as const;

export type BrokerLimits = ConfigOf<typeof limitSettings>;

/** Every limit at its declared default: what a handler built without a configuration applies. */
export const DEFAULT_LIMITS = Object.fromEntries(Object.entries(limitSettings).map(([field, s]) => [field, s.schema.parse(undefined)])) as BrokerLimits;

/** Frame overhead a produce request adds around its batches (topic, partition, length). */
export const PRODUCE_FRAME_OVERHEAD = 1024;

/** Checks between settings; returns a message naming them, or null. */
export function checkLimits(limits: BrokerLimits, maxRequestBytes: number): string | null {
  if (limits.maxPartitionFetchBytes > limits.fetchMaxBytes) {
    return `MAX_PARTITION_FETCH_BYTES='${limits.maxPartitionFetchBytes}' must not exceed FETCH_MAX_BYTES='${limits.fetchMaxBytes}'`;
  }
  // The default topic's largest batch (max.message.bytes) must fit one request.
  const smallest = TOPIC_CONFIG_DEFAULTS['max.message.bytes'] + PRODUCE_FRAME_OVERHEAD;
  if (maxRequestBytes < smallest) {
    return `MAX_REQUEST_BYTES='${maxRequestBytes}' must be at least ${smallest}, so a batch at the default max.message.bytes fits one request`;
  }
  return null;
}
