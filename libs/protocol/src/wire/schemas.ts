import type { Buffer } from 'buffer';
import { z } from 'zod';
import { requestParser } from './request-parser';
import { rejectDuplicatePartitions, RequestLimits } from './request-limits';
import type {
  CreateTopicsRequest,
  DeleteTopicsRequest,
  FetchRequest,
  InitProducerIdRequest,
  ListOffsetsRequest,
  MetadataRequest,
  OffsetForLeaderEpochRequest,
  ProduceRequest,
} from './messages';

/**
 * Request shapes, checked at the gateway before anything else runs. A payload that does not
 * match is answered INVALID_REQUEST with the path of the first bad field; it never reaches a
 * partition, so it can never touch a log.
 */
const int32 = z.number().int().min(-0x80000000).max(0x7fffffff);
const topicName = z.string().min(1).max(RequestLimits.maxNameLength);
const binary = z.custom<Buffer>((v) => v instanceof Uint8Array, { message: 'expected binary data' });

const metadata = z.object({ topics: z.array(topicName).max(RequestLimits.maxMetadataTopics).nullish() });

const produce = z.object({
  acks: z.union([z.literal(-1), z.literal(0), z.literal(1)]),
  timeoutMs: z.number().int().min(0).max(3_600_000),
  data: binary,
});

const fetch = z.object({
  replicaId: z.number().int().min(0).max(0x7fffffff).optional(),
  replicaEpoch: int32.optional(),
  replicaBrokerEpoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  maxWaitMs: z.number().int().min(0).max(RequestLimits.maxWaitMs),
  minBytes: z.number().int().min(0).max(0x7fffffff),
  maxBytes: z.number().int().min(1).max(0x7fffffff),
  partitions: z
    .array(
      z.object({
        topic: topicName,
        partition: int32,
        fetchOffset: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER),
        partitionMaxBytes: z.number().int().min(1).max(0x7fffffff),
      }),
    )
    .min(1)
    .max(RequestLimits.maxPartitionsPerRequest)
    .superRefine(rejectDuplicatePartitions),
});

const listOffsets = z.object({
  partitions: z
    .array(z.object({ topic: topicName, partition: int32, timestamp: z.number().int().min(-2).max(Number.MAX_SAFE_INTEGER) }))
    .min(1)
    .max(RequestLimits.maxPartitionsPerRequest)
    .superRefine(rejectDuplicatePartitions),
});

const createTopics = z.object({
  topics: z
    .array(
      z.object({
        name: topicName,
        numPartitions: z.number().int(),
        replicationFactor: z.number().int(),
        configs: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1)
    .max(1000),
  validateOnly: z.boolean().optional(),
});

const deleteTopics = z.object({ topics: z.array(topicName).min(1).max(1000) });

const offsetForLeaderEpoch = z.object({
  topic: topicName,
  partition: int32,
  leaderEpoch: int32,
  currentLeaderEpoch: int32,
  replicaId: z.number().int().min(0).max(0x7fffffff).optional(),
});

const initProducerId = z.object({
  producerId: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).optional(),
  producerEpoch: z.number().int().min(-1).max(0x7fff).optional(),
});

/**
 * A topic name over the length limit is INVALID_TOPIC_EXCEPTION, as Kafka answers for a bad
 * name; any other bad field INVALID_REQUEST.
 */
const topicField = (path: ReadonlyArray<string | number>) =>
  path[path.length - 1] === 'topic' || path[path.length - 1] === 'name' ? 'INVALID_TOPIC_EXCEPTION' : undefined;
const topicListItem = (path: ReadonlyArray<string | number>) => (path[0] === 'topics' && path.length === 2 ? 'INVALID_TOPIC_EXCEPTION' : topicField(path));

function parser<T>(event: string, schema: z.ZodType<unknown>, codeFor = topicField): (payload: unknown) => T {
  return requestParser<T>(event, schema, codeFor);
}

export const parseRequest = {
  metadata: parser<MetadataRequest>('metadata', metadata, topicListItem),
  produce: parser<ProduceRequest>('produce', produce),
  fetch: parser<FetchRequest>('fetch', fetch),
  listOffsets: parser<ListOffsetsRequest>('listOffsets', listOffsets),
  createTopics: parser<CreateTopicsRequest>('createTopics', createTopics),
  deleteTopics: parser<DeleteTopicsRequest>('deleteTopics', deleteTopics, topicListItem),
  offsetForLeaderEpoch: parser<OffsetForLeaderEpochRequest>('offsetForLeaderEpoch', offsetForLeaderEpoch),
  initProducerId: parser<InitProducerIdRequest>('initProducerId', initProducerId),
};
