import { z } from 'zod';
import { requestParser } from './request-parser';
import { rejectDuplicatePartitions, RequestLimits } from './request-limits';
import type { AlterConfigsRequest, CreatePartitionsRequest, DeleteRecordsRequest, DescribeConfigsRequest } from './topic-admin-messages';

/**
 * Shapes of the topic admin requests (configs, partitions, records), checked at the gateway
 * like every other request; see schemas.ts for the rules they share.
 */
const topicName = z.string().min(1).max(RequestLimits.maxNameLength);
const configName = z.string().min(1).max(RequestLimits.maxNameLength);
const MAX_TOPICS = 1000;

const describeConfigs = z.object({ topics: z.array(topicName).min(1).max(MAX_TOPICS) });

const alterConfigs = z.object({
  topics: z
    .array(
      z.object({
        name: topicName,
        set: z
          .record(configName, z.string().max(100))
          .refine((r) => Object.keys(r).length <= 100, 'at most 100 configs')
          .optional(),
        delete: z.array(configName).max(100).optional(),
      }),
    )
    .min(1)
    .max(MAX_TOPICS),
  validateOnly: z.boolean().optional(),
});

const createPartitions = z.object({
  topics: z
    .array(z.object({ name: topicName, count: z.number().int() }))
    .min(1)
    .max(MAX_TOPICS),
  validateOnly: z.boolean().optional(),
});

const deleteRecords = z.object({
  partitions: z
    .array(
      z.object({
        topic: topicName,
        partition: z.number().int().min(-0x80000000).max(0x7fffffff),
        offset: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER),
      }),
    )
    .min(1)
    .max(RequestLimits.maxPartitionsPerRequest)
    .superRefine(rejectDuplicatePartitions),
});

const nameField = (path: ReadonlyArray<string | number>) => {
  const last = path[path.length - 1];
  if (last === 'topic' || last === 'name') return 'INVALID_TOPIC_EXCEPTION' as const;
  if (path[0] === 'topics' && path.length === 2 && typeof last === 'number') return 'INVALID_TOPIC_EXCEPTION' as const;
  return undefined;
};

export const parseTopicAdminRequest = {
  describeConfigs: requestParser<DescribeConfigsRequest>('describeConfigs', describeConfigs, nameField),
  alterConfigs: requestParser<AlterConfigsRequest>('alterConfigs', alterConfigs, nameField),
  createPartitions: requestParser<CreatePartitionsRequest>('createPartitions', createPartitions, nameField),
  deleteRecords: requestParser<DeleteRecordsRequest>('deleteRecords', deleteRecords, nameField),
};
