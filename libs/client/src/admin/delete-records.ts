import {
  ErrorCode,
  Events,
  type DeleteRecordsPartitionRequest,
  type DeleteRecordsPartitionResponse,
  type DeleteRecordsRequest,
  type DeleteRecordsResponse,
} from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { asTributaryError, TopicError } from '../errors';
import { retry } from '../retry/retrier';
import { tpKey } from '../util/topic-partition';

/**
 * deleteRecords for many partitions, each asked of its own leader (one request per broker).
 * Partitions that fail retriably (a leader moved) are retried after a metadata refresh; a
 * non-retriable partition error (OFFSET_OUT_OF_RANGE) is thrown as TopicError.
 */
export async function deleteRecords(cluster: Cluster, asks: readonly DeleteRecordsPartitionRequest[]): Promise<DeleteRecordsPartitionResponse[]> {
  const answers = new Map<string, DeleteRecordsPartitionResponse>();
  let remaining = [...asks];
  await retry(
    async () => {
      const { byBroker, leaderless } = cluster.groupByLeader(remaining);
      const failed: DeleteRecordsPartitionRequest[] = [...leaderless];
      let firstError: TopicError | undefined = leaderless.length
        ? new TopicError(ErrorCode.LEADER_NOT_AVAILABLE, undefined, leaderless[0].topic, leaderless[0].partition)
        : undefined;
      await Promise.all(
        [...byBroker].map(async ([brokerId, partitions]) => {
          try {
            const response = await cluster.connectionFor(brokerId).request<DeleteRecordsRequest, DeleteRecordsResponse>(Events.deleteRecords, { partitions });
            if (response.errorCode !== ErrorCode.NONE)
              throw new TopicError(response.errorCode, response.errorMessage, partitions[0].topic, partitions[0].partition);
            const byKey = new Map((response.partitions ?? []).map((p) => [tpKey(p.topic, p.partition), p]));
            for (const q of partitions) {
              const a = byKey.get(tpKey(q.topic, q.partition));
              if (a && a.errorCode === ErrorCode.NONE) {
                answers.set(tpKey(q.topic, q.partition), a);
                continue;
              }
              const error = new TopicError(
                a?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR,
                a?.errorMessage ?? 'no answer for this partition',
                q.topic,
                q.partition,
              );
              if (!error.retriable) throw error;
              firstError ??= error;
              failed.push(q);
            }
          } catch (err) {
            const error = asTributaryError(err);
            if (!error.retriable) throw error;
            firstError ??= new TopicError(error.code, error.message, partitions[0].topic, partitions[0].partition);
            failed.push(...partitions);
          }
        }),
      );
      remaining = failed;
      if (firstError) throw firstError;
    },
    cluster.retryOptions,
    { onRetry: () => cluster.refreshMetadata() },
  );
  return asks.map((q) => answers.get(tpKey(q.topic, q.partition))).filter((a): a is DeleteRecordsPartitionResponse => a !== undefined);
}
