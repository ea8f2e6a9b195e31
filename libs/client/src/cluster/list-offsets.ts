import { Events, type ListOffsetsPartitionRequest, type ListOffsetsPartitionResponse } from '@tributary/protocol';
import type { Cluster } from './cluster';
import { askLeaders } from './leader-requests';

/** listOffsets for many partitions, each asked of its own leader (see askLeaders for retries and errors). */
export function listOffsets(cluster: Cluster, queries: readonly ListOffsetsPartitionRequest[]): Promise<ListOffsetsPartitionResponse[]> {
  return askLeaders<ListOffsetsPartitionRequest, ListOffsetsPartitionResponse>(cluster, Events.listOffsets, queries);
}
