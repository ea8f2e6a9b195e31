import { partitionForKey } from '@tributary/protocol';

export interface PartitionArgs {
  topic: string;
  /** key bytes; null for an unkeyed record */
  key: Uint8Array | null;
  partitionCount: number;
  /** partitions that have a leader now; unkeyed records prefer these */
  availablePartitions: readonly number[];
}

/**
 * Kafka's default partitioner. A keyed record goes to murmur2(key) % partitions, so it lands
 * where Kafka's Java client would put it. An unkeyed record goes to the topic's sticky
 * partition (KIP-480): all unkeyed records share one partition, hence one batch, until that
 * batch is closed; then the producer calls onNewBatch and another partition is picked at
 * random. Fuller batches and fewer requests than round-robin, and still an even spread.
 */
export class DefaultPartitioner {
  private readonly sticky = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  partition(args: PartitionArgs): number {
    if (args.key !== null) return partitionForKey(args.key, args.partitionCount);
    const current = this.sticky.get(args.topic);
    if (current !== undefined && current < args.partitionCount) return current;
    return this.pickNew(args, undefined);
  }

  /** The batch of `previous` is closed: move the topic's unkeyed records elsewhere. */
  onNewBatch(args: PartitionArgs, previous: number): number {
    if (this.sticky.get(args.topic) !== previous) return this.partition(args);
    return this.pickNew(args, previous);
  }

  private pickNew(args: PartitionArgs, avoid: number | undefined): number {
    const inRange = args.availablePartitions.filter((p) => p >= 0 && p < args.partitionCount);
    const pool = inRange.length > 0 ? inRange : Array.from({ length: args.partitionCount }, (_, i) => i);
    const others = pool.filter((p) => p !== avoid);
    const choices = others.length > 0 ? others : pool;
    const chosen = choices[Math.min(choices.length - 1, Math.floor(this.random() * choices.length))];
    this.sticky.set(args.topic, chosen);
    return chosen;
  }
}
