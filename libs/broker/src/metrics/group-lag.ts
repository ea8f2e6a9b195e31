import type { GroupStore } from '@tributary/coordination';
import type { ReplicaManager } from '../partition/replica-manager';

export interface GroupPartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** the partition's high watermark minus the group's committed offset (Burrow's and kafka-consumer-groups' lag) */
  lag: number;
}

/**
 * Consumer lag per group and partition, reported by the broker that leads the partition (it
 * alone knows the high watermark), so the cluster's scrapes together cover each lag once.
 * Read from Redis when scraped.
 */
export async function groupLags(store: Pick<GroupStore, 'listGroupIds' | 'fetchOffsets'>, replicas: ReplicaManager): Promise<GroupPartitionLag[]> {
  const led = new Map(
    replicas
      .all()
      .filter((a) => a.isLeader)
      .map((a) => [`${a.topic}:${a.partition}`, a]),
  );
  if (led.size === 0) return [];
  const out: GroupPartitionLag[] = [];
  for (const group of await store.listGroupIds()) {
    for (const c of await store.fetchOffsets(group)) {
      const actor = led.get(`${c.topic}:${c.partition}`);
      if (!actor || c.offset < 0) continue;
      out.push({ group, topic: c.topic, partition: c.partition, lag: Math.max(0, actor.committedOffset - c.offset) });
    }
  }
  return out;
}
