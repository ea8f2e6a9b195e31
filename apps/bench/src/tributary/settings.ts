import type { ConsumerOptions, ProducerOptions } from '@tributary/client';

/**
 * The producer setting the throughput rows use, chosen by the 'tune' scenario on the
 * reference machine (see docs/benchmarks.md). Big batches matter most: every produce
 * request costs a socket.io frame, a gateway validation and an actor turn, so fewer, larger
 * requests win. batchSize stays under maxRequestSize so a full batch always fits a request;
 * brokers accept up to MAX_REQUEST_BYTES (8 MiB) by default.
 */
export const THROUGHPUT_PRODUCER: Required<Pick<ProducerOptions, 'lingerMs' | 'batchSize' | 'maxRequestSize' | 'maxInFlightPerBroker'>> = {
  lingerMs: 5,
  batchSize: 1_000_000,
  maxRequestSize: 4_000_000,
  maxInFlightPerBroker: 5,
};

/** How the bench hands records to the producer: many per send(), several sends outstanding. */
export const RECORDS_PER_SEND = 5_000;
export const SENDS_IN_FLIGHT = 8;

/** Latency runs send a few records at a time; waiting for a fuller batch would only add delay. */
export const LATENCY_PRODUCER: Pick<ProducerOptions, 'lingerMs' | 'batchSize' | 'maxInFlightPerBroker'> = {
  lingerMs: 0,
  batchSize: 262_144,
  maxInFlightPerBroker: 5,
};

/** Large fetches: the consume rows measure how fast the log can be read, not a small default. */
export const THROUGHPUT_CONSUMER: ConsumerOptions = {
  maxWaitMs: 100,
  maxBytes: 32 * 1024 * 1024,
  maxBytesPerPartition: 4 * 1024 * 1024,
};

export const LATENCY_CONSUMER: ConsumerOptions = {
  maxWaitMs: 100,
};
