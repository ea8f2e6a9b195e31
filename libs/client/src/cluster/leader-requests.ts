import { ErrorCode, type EventName } from '@tributary/protocol';
import { asTributaryError, TopicError } from '../errors';
import { retry } from '../retry/retrier';
import { tpKey } from '../util/topic-partition';
import type { Cluster } from './cluster';

interface PartitionAsk {
  topic: string;
  partition: number;
}

interface PartitionAnswer extends PartitionAsk {
  errorCode: number;
  errorMessage?: string;
}

interface LeaderResponse<A> {
  errorCode: number;
  errorMessage?: string;
  partitions?: A[];
}

/**
 * Asks each partition's leader about its partitions (one request per broker): listOffsets,
 * deleteRecords. Partitions that fail retriably (a leader moved, none yet) are asked again
 * after a metadata refresh; the first non-retriable partition error is thrown as TopicError.
 * Answers come back in the order of `asks`.
 */
export async function askLeaders<Q extends PartitionAsk, A extends PartitionAnswer>(cluster: Cluster, event: EventName, asks: readonly Q[]): Promise<A[]> {
  const answers = new Map<string, A>();
  let remaining = [...asks];
  await retry(
    async () => {
      const { byBroker, leaderless } = cluster.groupByLeader(remaining);
      const failed: Q[] = [...leaderless];
      let firstError: TopicError | undefined = leaderless.length
        ? new TopicError(ErrorCode.LEADER_NOT_AVAILABLE, undefined, leaderless[0].topic, leaderless[0].partition)
        : undefined;
      await Promise.all(
        [...byBroker].map(async ([brokerId, partitions]) => {
          try {
            const response = await cluster.connectionFor(brokerId).request<{ partitions: Q[] }, LeaderResponse<A>>(event, { partitions });
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
                a?.errorMessage ?? (a ? undefined : 'no answer for this partition'),
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
  return asks.map((q) => answers.get(tpKey(q.topic, q.partition))).filter((a): a is A => a !== undefined);
}
