import { z } from 'zod';
import { requestParser } from './request-parser';
import { LEGAL_NAME_CHARS, rejectDuplicatePartitions, RequestLimits } from './request-limits';
import type {
  CommitOffsetsRequest,
  DescribeGroupsRequest,
  DeleteGroupsRequest,
  FetchOffsetsRequest,
  FindCoordinatorRequest,
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  ListGroupsRequest,
  SyncGroupRequest,
} from './group-messages';

/** Group request shapes, checked at the gateway like every other request. */
const groupId = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'use 1 to 249 of [a-zA-Z0-9._-]');
// Member ids are the coordinator's own `${clientId}-${uuid}`, so the legal characters hold for them too.
const memberId = z.string().max(RequestLimits.maxMemberIdLength).regex(LEGAL_NAME_CHARS, 'use [a-zA-Z0-9._-]');
const clientId = z.string().max(RequestLimits.maxClientIdLength).regex(LEGAL_NAME_CHARS, "use up to 249 of [a-zA-Z0-9._-] (Kafka's legal characters)");
const generationId = z.number().int().min(-1).max(0x7fffffff);
const topicName = z.string().min(1).max(RequestLimits.maxNameLength);
const partition = z.number().int().min(0).max(0x7fffffff);
const assignor = z.enum(['range', 'roundrobin', 'cooperative-sticky']);

const findCoordinator = z.object({ groupId });

const joinGroup = z.object({
  groupId,
  memberId,
  clientId,
  sessionTimeoutMs: z.number().int().min(1).max(3_600_000),
  rebalanceTimeoutMs: z.number().int().min(1).max(3_600_000),
  topics: z.array(topicName).min(1).max(10_000),
  assignors: z.array(assignor).min(1).max(3),
});

const memberRef = z.object({ groupId, memberId, generationId });
const leaveGroup = z.object({ groupId, memberId: memberId.min(1) });

const commitOffsets = z.object({
  groupId,
  generationId,
  memberId,
  offsets: z
    .array(z.object({ topic: topicName, partition, offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), metadata: z.string().max(4096).optional() }))
    .min(1)
    .max(RequestLimits.maxPartitionsPerRequest)
    .superRefine(rejectDuplicatePartitions),
});

const fetchOffsets = z.object({
  groupId,
  partitions: z
    .array(z.object({ topic: topicName, partition }))
    .max(RequestLimits.maxPartitionsPerRequest)
    .superRefine(rejectDuplicatePartitions)
    .optional(),
});
const listGroups = z.object({}).passthrough();
const describeGroups = z.object({ groupIds: z.array(groupId).min(1).max(1000) });
const deleteGroups = z.object({ groupIds: z.array(groupId).min(1).max(1000) });

/** A bad group id is INVALID_GROUP_ID, as in Kafka; anything else INVALID_REQUEST. */
function parser<T>(event: string, schema: z.ZodType<unknown>): (payload: unknown) => T {
  return requestParser<T>(event, schema, (path) => {
    if (path[0] === 'groupId' || path[0] === 'groupIds') return 'INVALID_GROUP_ID';
    return path[path.length - 1] === 'topic' ? 'INVALID_TOPIC_EXCEPTION' : undefined;
  });
}

export const parseGroupRequest = {
  findCoordinator: parser<FindCoordinatorRequest>('findCoordinator', findCoordinator),
  joinGroup: parser<JoinGroupRequest>('joinGroup', joinGroup),
  syncGroup: parser<SyncGroupRequest>('syncGroup', memberRef),
  heartbeat: parser<HeartbeatRequest>('heartbeat', memberRef),
  leaveGroup: parser<LeaveGroupRequest>('leaveGroup', leaveGroup),
  commitOffsets: parser<CommitOffsetsRequest>('commitOffsets', commitOffsets),
  fetchOffsets: parser<FetchOffsetsRequest>('fetchOffsets', fetchOffsets),
  listGroups: parser<ListGroupsRequest>('listGroups', listGroups),
  describeGroups: parser<DescribeGroupsRequest>('describeGroups', describeGroups),
  deleteGroups: parser<DeleteGroupsRequest>('deleteGroups', deleteGroups),
};
