import { Events, type DeleteRecordsPartitionRequest, type DeleteRecordsPartitionResponse } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { askLeaders } from '../cluster/leader-requests';

/**
 * deleteRecords for many partitions, each asked of its own leader (see askLeaders): a leader
 * that moved is retried after a metadata refresh; OFFSET_OUT_OF_RANGE is thrown as TopicError.
 */
export function deleteRecords(cluster: Cluster, asks: readonly DeleteRecordsPartitionRequest[]): Promise<DeleteRecordsPartitionResponse[]> {
  return askLeaders<DeleteRecordsPartitionRequest, DeleteRecordsPartitionResponse>(cluster, Events.deleteRecords, asks);
}
