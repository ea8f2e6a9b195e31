import { ErrorCode, TributaryError, type Admin } from '@tributary/client';

export type ReplicatedTopic = { available: true } | { available: false; reason: string };

export const REPLICATION_UNAVAILABLE = 'skipped: replication not available in this build';

/**
 * Creates an RF=3, min.insync.replicas=2 topic. A build without replication refuses RF>1
 * with INVALID_REPLICATION_FACTOR; that is reported as "not available" so the RF=3 rows
 * skip today and light up, unchanged, once replication lands. Any other error is real.
 */
export async function createReplicatedTopic(admin: Admin, topic: string, partitions: number): Promise<ReplicatedTopic> {
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
      timeout: 60_000,
    });
    return { available: true };
  } catch (err) {
    if (err instanceof TributaryError && err.code === ErrorCode.INVALID_REPLICATION_FACTOR) {
      return { available: false, reason: err.message };
    }
    throw err;
  }
}

export async function createTopic(admin: Admin, topic: string, partitions: number, timeoutMs = 60_000): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], timeout: timeoutMs });
}
