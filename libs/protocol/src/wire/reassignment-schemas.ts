import { z } from 'zod';
import { requestParser } from './request-parser';
import { rejectDuplicatePartitions, RequestLimits } from './request-limits';
import type {
  AlterPartitionReassignmentsRequest,
  DecommissionBrokerRequest,
  ElectLeadersRequest,
  ListPartitionReassignmentsRequest,
} from './reassignment-messages';

/** Reassignment, election and decommission request shapes, checked at the gateway like every other request. */
const topicName = z.string().min(1).max(RequestLimits.maxNameLength);
const partition = z.number().int().min(0).max(0x7fffffff);
const brokerId = z.number().int().min(0).max(0x7fffffff);
/** as MAX_REPLICATION_FACTOR: a replica set beyond it could never be a topic's */
const MAX_REPLICAS = 100;

const alterPartitionReassignments = z.object({
  partitions: z
    .array(
      z.object({
        topic: topicName,
        partition,
        replicas: z
          .array(brokerId)
          .min(1)
          .max(MAX_REPLICAS)
          .refine((ids) => new Set(ids).size === ids.length, 'a broker may hold one replica of a partition: duplicate broker id')
          .nullable(),
      }),
    )
    .min(1)
    .max(RequestLimits.maxPartitionsPerRequest)
    .superRefine(rejectDuplicatePartitions),
});

const listPartitionReassignments = z.object({ topics: z.array(topicName).max(RequestLimits.maxMetadataTopics).nullish() });

const electLeaders = z.object({
  partitions: z
    .array(z.object({ topic: topicName, partition }))
    .max(RequestLimits.maxPartitionsPerRequest)
    .superRefine(rejectDuplicatePartitions)
    .nullish(),
});

const decommissionBroker = z.object({ brokerId });

const topicField = (path: ReadonlyArray<string | number>) => (path[path.length - 1] === 'topic' ? 'INVALID_TOPIC_EXCEPTION' : undefined);

export const parseReassignmentRequest = {
  alterPartitionReassignments: requestParser<AlterPartitionReassignmentsRequest>('alterPartitionReassignments', alterPartitionReassignments, topicField),
  listPartitionReassignments: requestParser<ListPartitionReassignmentsRequest>('listPartitionReassignments', listPartitionReassignments, (p) =>
    p[0] === 'topics' ? 'INVALID_TOPIC_EXCEPTION' : undefined,
  ),
  electLeaders: requestParser<ElectLeadersRequest>('electLeaders', electLeaders, topicField),
  decommissionBroker: requestParser<DecommissionBrokerRequest>('decommissionBroker', decommissionBroker),
};
