import { Inject } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode, type GroupMemberConnection } from '@tributary/broker';
import { allOf, filteredByHandler, onGroup, onGroups, onTopics } from './authorization-rules';
import { principalOf } from './connection-principal';
import { route, RouteServer } from './request-route';
import {
  ErrorCode,
  Events,
  parseGroupRequest,
  type CommitOffsetsResponse,
  type DescribeGroupsResponse,
  type DeleteGroupsResponse,
  type FetchOffsetsResponse,
  type FindCoordinatorResponse,
  type HeartbeatResponse,
  type JoinGroupResponse,
  type LeaveGroupResponse,
  type ListGroupsResponse,
  type ResponseBase,
  type SyncGroupResponse,
} from '@tributary/protocol';

const NONE: ResponseBase = { errorCode: ErrorCode.NONE };

/** Who sends a member request: the coordinator binds a member id to it at join (see GroupCoordinatorActor.claim). */
function memberConnection(socket: Socket): GroupMemberConnection {
  return { principal: principalOf(socket), connectionId: socket.id, isConnected: () => socket.connected };
}

const FIND_COORDINATOR = route({
  event: Events.findCoordinator,
  parse: parseGroupRequest.findCoordinator,
  authorize: onGroup('describe'),
  handle: ({ node }, { groupId }) => node.groups.findCoordinator(groupId),
  onError: (e) => ({ ...e, nodeId: -1, host: '', port: -1, url: '' }),
});

const JOIN_GROUP = route({
  event: Events.joinGroup,
  parse: parseGroupRequest.joinGroup,
  authorize: onGroup('read'),
  handle: ({ node }, request, socket) => node.groups.join(request, memberConnection(socket)),
  onError: (e) => ({ ...e, generationId: -1, memberId: '', leaderId: '', assignor: '' as const, assignment: [] }),
});

const SYNC_GROUP = route({
  event: Events.syncGroup,
  parse: parseGroupRequest.syncGroup,
  authorize: onGroup('read'),
  handle: ({ node }, request, socket) => node.groups.sync(request, memberConnection(socket)),
  onError: (e) => ({ ...e, assignment: [] }),
});

const HEARTBEAT = route({
  event: Events.heartbeat,
  parse: parseGroupRequest.heartbeat,
  authorize: onGroup('read'),
  handle: async ({ node }, request, socket): Promise<HeartbeatResponse> => {
    await node.groups.heartbeat(request, memberConnection(socket));
    return NONE;
  },
  onError: (e) => e,
});

const LEAVE_GROUP = route({
  event: Events.leaveGroup,
  parse: parseGroupRequest.leaveGroup,
  authorize: onGroup('read'),
  handle: async ({ node }, request, socket): Promise<LeaveGroupResponse> => {
    await node.groups.leave(request, memberConnection(socket));
    return NONE;
  },
  onError: (e) => e,
});

/** Kafka's rule: read on the group to commit for it, and read on each topic committed. */
const COMMIT_OFFSETS = route({
  event: Events.commitOffsets,
  parse: parseGroupRequest.commitOffsets,
  authorize: allOf(
    onGroup('read'),
    onTopics('read', (request: { offsets: readonly { topic: string }[] }) => request.offsets.map((o) => o.topic)),
  ),
  handle: async ({ node }, request, socket): Promise<CommitOffsetsResponse> => {
    await node.groups.commit(request, memberConnection(socket));
    return NONE;
  },
  onError: (e) => e,
});

const FETCH_OFFSETS = route({
  event: Events.fetchOffsets,
  parse: parseGroupRequest.fetchOffsets,
  authorize: onGroup('describe'),
  handle: async ({ node, gate }, request, socket): Promise<FetchOffsetsResponse> => {
    const response = await node.groups.fetchOffsets(request);
    // offsets of topics the principal may not describe are left out, as Kafka does
    return { ...response, offsets: response.offsets.filter((o) => gate.allows(socket, 'describe', 'topic', o.topic)) };
  },
  onError: (e) => ({ ...e, offsets: [] }),
});

/** Only the groups the principal may describe. */
const LIST_GROUPS = route({
  event: Events.listGroups,
  parse: (body: unknown) => parseGroupRequest.listGroups(body ?? {}),
  authorize: filteredByHandler,
  handle: async ({ node, gate }, _request, socket): Promise<ListGroupsResponse> => {
    const response = await node.groups.listGroups();
    return { ...response, groups: response.groups.filter((g) => gate.allows(socket, 'describe', 'group', g.groupId)) };
  },
  onError: (e) => ({ ...e, groups: [] }),
});

/** Deleting a group needs 'delete' on it; each group is answered in its own entry. */
const DELETE_GROUPS = route({
  event: Events.deleteGroups,
  parse: parseGroupRequest.deleteGroups,
  authorize: onGroups('delete', (request: { groupIds: readonly string[] }) => request.groupIds),
  handle: ({ node }, { groupIds }) => node.groups.deleteGroups({ groupIds }),
  onError: (e) => ({ ...e, results: [] }),
});

/** A group the principal may not describe is answered GROUP_AUTHORIZATION_FAILED in its entry, with nothing about it. */
const DESCRIBE_GROUPS = route({
  event: Events.describeGroups,
  parse: parseGroupRequest.describeGroups,
  authorize: filteredByHandler,
  handle: async ({ node, gate }, { groupIds }, socket): Promise<DescribeGroupsResponse> => {
    const allowed = groupIds.filter((g) => gate.allows(socket, 'describe', 'group', g));
    const response = allowed.length > 0 ? await node.groups.describeGroups(allowed) : { errorCode: ErrorCode.NONE, groups: [] };
    const byId = new Map(response.groups.map((g) => [g.groupId, g]));
    const groups = groupIds.map((groupId) => {
      const found = byId.get(groupId);
      if (found) return found;
      const e = gate.denied(socket, Events.describeGroups, 'describe', 'group', groupId);
      return {
        groupId,
        errorCode: e.code,
        state: 'Dead' as const,
        generationId: -1,
        assignor: '' as const,
        leaderId: '',
        coordinatorId: -1,
        members: [],
      };
    });
    return { ...response, groups };
  },
  onError: (e) => ({ ...e, groups: [] }),
});

/**
 * Consumer-group requests on the broker's socket.io server (Nest attaches every gateway to the
 * same server). Each is a route above: validated first, then checked against the ACLs (Kafka's:
 * read on the group to be a member or commit, plus read on each committed topic; describe to
 * look); errors come back as codes, never thrown.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class GroupGateway {
  private readonly routes: RouteServer;

  constructor(@Inject(BrokerNode) node: BrokerNode) {
    this.routes = new RouteServer(node, 'GroupGateway');
  }

  @SubscribeMessage(Events.findCoordinator)
  findCoordinator(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<FindCoordinatorResponse> {
    return this.routes.serve(FIND_COORDINATOR, body, socket);
  }

  @SubscribeMessage(Events.joinGroup)
  joinGroup(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<JoinGroupResponse> {
    return this.routes.serve(JOIN_GROUP, body, socket);
  }

  @SubscribeMessage(Events.syncGroup)
  syncGroup(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<SyncGroupResponse> {
    return this.routes.serve(SYNC_GROUP, body, socket);
  }

  @SubscribeMessage(Events.heartbeat)
  heartbeat(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<HeartbeatResponse> {
    return this.routes.serve(HEARTBEAT, body, socket);
  }

  @SubscribeMessage(Events.leaveGroup)
  leaveGroup(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<LeaveGroupResponse> {
    return this.routes.serve(LEAVE_GROUP, body, socket);
  }

  @SubscribeMessage(Events.commitOffsets)
  commitOffsets(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<CommitOffsetsResponse> {
    return this.routes.serve(COMMIT_OFFSETS, body, socket);
  }

  @SubscribeMessage(Events.fetchOffsets)
  fetchOffsets(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<FetchOffsetsResponse> {
    return this.routes.serve(FETCH_OFFSETS, body, socket);
  }

  @SubscribeMessage(Events.listGroups)
  listGroups(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ListGroupsResponse> {
    return this.routes.serve(LIST_GROUPS, body, socket);
  }

  @SubscribeMessage(Events.deleteGroups)
  deleteGroups(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DeleteGroupsResponse> {
    return this.routes.serve(DELETE_GROUPS, body, socket);
  }

  @SubscribeMessage(Events.describeGroups)
  describeGroups(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DescribeGroupsResponse> {
    return this.routes.serve(DESCRIBE_GROUPS, body, socket);
  }
}
