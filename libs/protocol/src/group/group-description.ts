import { ErrorCode } from '../errors';
import type { DescribedGroup } from '../wire/group-messages';
import type { GroupRecord } from './group-state-machine';

/** DescribeGroups' answer for one group from what its coordinator saved (none saved: GROUP_ID_NOT_FOUND, state Dead). */
export function describeGroup(groupId: string, saved: GroupRecord | null | undefined, coordinatorId: number): DescribedGroup {
  if (!saved)
    return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, state: 'Dead', generationId: -1, assignor: '', leaderId: '', coordinatorId, members: [] };
  return {
    groupId,
    errorCode: ErrorCode.NONE,
    state: saved.state,
    generationId: saved.generationId,
    assignor: saved.assignor,
    leaderId: saved.leaderId,
    coordinatorId,
    members: saved.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, topics: m.topics, assignment: m.assignment })),
  };
}
