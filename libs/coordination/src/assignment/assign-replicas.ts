import { TributaryError } from '@tributary/protocol';

/**
 * Kafka's rack-unaware replica assignment: the first replica of partition p goes to broker
 * (start + p) mod n, so leaders spread evenly; followers follow at a shift that grows every n
 * partitions, so replica pairs spread too. `start` and `shift` are random in Kafka to spread
 * many topics; callers may fix them for reproducible tests.
 */
export function assignReplicas(
  brokerIds: readonly number[],
  partitions: number,
  replicationFactor: number,
  start = Math.floor(Math.random() * Math.max(brokerIds.length, 1)),
  shift = Math.floor(Math.random() * Math.max(brokerIds.length, 1)),
): number[][] {
  const brokers = [...brokerIds].sort((a, b) => a - b);
  const n = brokers.length;
  if (partitions < 1) throw TributaryError.of('INVALID_PARTITIONS', `number of partitions must be at least 1, got ${partitions}`);
  if (replicationFactor < 1) throw TributaryError.of('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${replicationFactor}`);
  if (replicationFactor > n) {
    throw TributaryError.of('INVALID_REPLICATION_FACTOR', `replication factor ${replicationFactor} is larger than the ${n} live broker(s)`);
  }
  const out: number[][] = [];
  let nextShift = shift;
  for (let p = 0; p < partitions; p++) {
    if (p > 0 && p % n === 0) nextShift++;
    const first = (p + start) % n;
    const replicas = [brokers[first]];
    for (let j = 0; j < replicationFactor - 1; j++) {
      replicas.push(brokers[(first + 1 + ((nextShift + j) % (n - 1))) % n]);
    }
    out.push(replicas);
  }
  return out;
}
