import { Buffer } from 'buffer';
import { z } from 'zod';
import { requestParser } from './request-parser';
import type {
  CreateTopicsRequest,
  DeleteTopicsRequest,
  FetchRequest,
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
const topicName = z.string().min(1).max(32767);
const binary = z.custom<Buffer>((v) => v instanceof Uint8Array, { message: 'expected binary data' });

const metadata = z.object({ topics: z.array(topicName).max(100000).nullish() });

const produce = z.object({
  acks: z.union([z.literal(-1), z.literal(0), z.literal(1)]),
  timeoutMs: z.number().int().min(0).max(3_600_000),
  data: binary,
});

const fetch = z.object({
  replicaId: z.number().int().min(0).max(0x7fffffff).optional(),
  replicaEpoch: int32.optional(),
  replicaBrokerEpoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  maxWaitMs: z.number().int().min(0).max(300_000),
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
    .max(100000),
});

const listOffsets = z.object({
  partitions: z
    .array(z.object({ topic: topicName, partition: int32, timestamp: z.number().int().min(-2).max(Number.MAX_SAFE_INTEGER) }))
    .min(1)
    .max(100000),
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

const parser = requestParser;

export const parseRequest = {
  metadata: parser<MetadataRequest>('metadata', metadata),
  produce: parser<ProduceRequest>('produce', produce),
  fetch: parser<FetchRequest>('fetch', fetch),
  listOffsets: parser<ListOffsetsRequest>('listOffsets', listOffsets),
  createTopics: parser<CreateTopicsRequest>('createTopics', createTopics),
  deleteTopics: parser<DeleteTopicsRequest>('deleteTopics', deleteTopics),
  offsetForLeaderEpoch: parser<OffsetForLeaderEpochRequest>('offsetForLeaderEpoch', offsetForLeaderEpoch),
};
