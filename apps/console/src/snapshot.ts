import type { Admin, ClusterDescription, DescribedGroup, PartitionInfo, PartitionLag } from '@tributary/client';
import { fetchLogSizes, type LogSizes } from './log-sizes';

export interface PartitionView extends PartitionInfo {
  low: number | undefined;
  high: number | undefined;
  /** bytes of the leader's replica */
  sizeBytes: number | undefined;
}

export interface TopicView {
  name: string;
  partitions: PartitionView[];
}

export interface GroupView {
  group: DescribedGroup;
  lag: PartitionLag[];
}

/** Everything the page shows, read in one pass. */
export interface Snapshot {
  cluster: ClusterDescription;
  topics: TopicView[];
  groups: GroupView[];
  at: Date;
}

export async function readSnapshot(admin: Admin): Promise<Snapshot> {
  const [cluster, metadata, listed] = await Promise.all([admin.describeCluster(), admin.fetchTopicMetadata(), admin.groups().listGroups()]);
  const sizes = await fetchLogSizes(cluster.brokers);
  const topics = await Promise.all(metadata.topics.sort((a, b) => a.name.localeCompare(b.name)).map((t) => topicView(admin, t.name, t.partitions, sizes)));
  const described = listed.length ? await admin.groups().describeGroups(listed.map((g) => g.groupId).sort()) : [];
  const groups = await Promise.all(described.map(async (group) => ({ group, lag: await admin.groups().groupLag(group.groupId) })));
  return { cluster, topics, groups, at: new Date() };
}

async function topicView(admin: Admin, name: string, partitions: PartitionInfo[], sizes: LogSizes): Promise<TopicView> {
  // offsets come from each leader; a partition without one shows '–' rather than failing the page
  const offsets = await admin.fetchTopicOffsets(name).catch(() => []);
  const byPartition = new Map(offsets.map((o) => [o.partition, o]));
  return {
    name,
    partitions: [...partitions]
      .sort((a, b) => a.partition - b.partition)
      .map((p) => ({
        ...p,
        low: byPartition.get(p.partition)?.low,
        high: byPartition.get(p.partition)?.high,
        sizeBytes: sizes.get(p.leader)?.get(`${name}/${p.partition}`),
      })),
  };
}
