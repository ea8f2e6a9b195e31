import {
  ErrorCode,
  Events,
  type ListOffsetsPartitionRequest,
  type ListOffsetsPartitionResponse,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from '@tributary/protocol';
import { asTributaryError, TopicError } from '../errors';
import { retry } from '../retry/retrier';
import { tpKey } from '../util/topic-partition';
import type { Cluster } from './cluster';

/**
 * listOffsets for many partitions, each asked of its own leader (one request per broker).
 * Partitions that fail retriably are retried after a metadata refresh; a non-retriable
 * partition error is thrown as TopicError.
 */
export async function listOffsets(cluster: Cluster, queries: readonly ListOffsetsPartitionRequest[]): Promise<ListOffsetsPartitionResponse[]> {
  const answers = new Map<string, ListOffsetsPartitionResponse>();
  let remaining = [...queries];
  await retry(
    async () => {
      const { byBroker, leaderless } = cluster.groupByLeader(remaining);
      const failed: ListOffsetsPartitionRequest[] = [...leaderless];
      let firstError: TopicError | undefined = leaderless.length
        ? new TopicError(ErrorCode.LEADER_NOT_AVAILABLE, undefined, leaderless[0].topic, leaderless[0].partition)
        : undefined;
      await Promise.all(
        [...byBroker].map(async ([brokerId, partitions]) => {
          try {
            const response = await cluster.connectionFor(brokerId).request<ListOffsetsRequest, ListOffsetsResponse>(Events.listOffsets, { partitions });
            const byKey = new Map(response.partitions.map((p) => [tpKey(p.topic, p.partition), p]));
            for (const q of partitions) {
              const a = byKey.get(tpKey(q.topic, q.partition));
              const code = a ? a.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR;
              if (a && code === ErrorCode.NONE) {
                answers.set(tpKey(q.topic, q.partition), a);
                continue;
              }
              const error = new TopicError(code, a?.errorMessage ?? (a ? undefined : 'no answer for this partition'), q.topic, q.partition);
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
  return queries.map((q) => answers.get(tpKey(q.topic, q.partition))).filter((a): a is ListOffsetsPartitionResponse => a !== undefined);
}
