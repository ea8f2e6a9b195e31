import { Inject, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode, type GroupMemberConnection } from '@tributary/broker';
import { principalOf } from './connection-principal';
import { respond, type ErrorShape } from './respond';
import { SecurityGate } from './security-gate';
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

/**
 * Consumer-group requests on the broker's socket.io server (Nest attaches every gateway to the
 * same server). Each payload is validated first, then checked against the ACLs (Kafka's: read
 * on the group to be a member or commit, plus read on each committed topic; describe to look);
 * errors come back as codes, never thrown.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class GroupGateway {
  private readonly logger = new Logger('GroupGateway');
  private readonly gate: SecurityGate;

  constructor(@Inject(BrokerNode) private readonly node: BrokerNode) {
    this.gate = new SecurityGate(node.security);
  }

  @SubscribeMessage(Events.findCoordinator)
  findCoordinator(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<FindCoordinatorResponse> {
    return this.handle(
      () => {
        const { groupId } = parseGroupRequest.findCoordinator(body);
        this.gate.require(socket, Events.findCoordinator, 'describe', 'group', groupId);
        return this.node.groups.findCoordinator(groupId);
      },
      (e) => ({ ...e, nodeId: -1, host: '', port: -1, url: '' }),
    );
  }

  @SubscribeMessage(Events.joinGroup)
  joinGroup(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<JoinGroupResponse> {
    return this.handle(
      () => {
        const request = parseGroupRequest.joinGroup(body);
        this.gate.require(socket, Events.joinGroup, 'read', 'group', request.groupId);
        return this.node.groups.join(request, memberConnection(socket));
      },
      (e) => ({ ...e, generationId: -1, memberId: '', leaderId: '', assignor: '', assignment: [] }),
    );
  }

  @SubscribeMessage(Events.syncGroup)
  syncGroup(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<SyncGroupResponse> {
    return this.handle(
      () => {
        const request = parseGroupRequest.syncGroup(body);
        this.gate.require(socket, Events.syncGroup, 'read', 'group', request.groupId);
        return this.node.groups.sync(request, memberConnection(socket));
      },
      (e) => ({ ...e, assignment: [] }),
    );
  }

  @SubscribeMessage(Events.heartbeat)
  heartbeat(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<HeartbeatResponse> {
    return this.handle(
      async () => {
        const request = parseGroupRequest.heartbeat(body);
        this.gate.require(socket, Events.heartbeat, 'read', 'group', request.groupId);
        await this.node.groups.heartbeat(request, memberConnection(socket));
        return NONE;
      },
      (e) => e,
    );
  }

  @SubscribeMessage(Events.leaveGroup)
  leaveGroup(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<LeaveGroupResponse> {
    return this.handle(
      async () => {
        const request = parseGroupRequest.leaveGroup(body);
        this.gate.require(socket, Events.leaveGroup, 'read', 'group', request.groupId);
        await this.node.groups.leave(request, memberConnection(socket));
        return NONE;
      },
      (e) => e,
    );
  }

  @SubscribeMessage(Events.commitOffsets)
  commitOffsets(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<CommitOffsetsResponse> {
    return this.handle(
      async () => {
        const request = parseGroupRequest.commitOffsets(body);
        this.gate.require(socket, Events.commitOffsets, 'read', 'group', request.groupId);
        for (const topic of new Set(request.offsets.map((o) => o.topic))) this.gate.require(socket, Events.commitOffsets, 'read', 'topic', topic);
        await this.node.groups.commit(request, memberConnection(socket));
        return NONE;
      },
      (e) => e,
    );
  }

  @SubscribeMessage(Events.fetchOffsets)
  fetchOffsets(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<FetchOffsetsResponse> {
    return this.handle(
      async () => {
        const request = parseGroupRequest.fetchOffsets(body);
        this.gate.require(socket, Events.fetchOffsets, 'describe', 'group', request.groupId);
        const response = await this.node.groups.fetchOffsets(request);
        // offsets of topics the principal may not describe are left out, as Kafka does
        return { ...response, offsets: response.offsets.filter((o) => this.gate.allows(socket, 'describe', 'topic', o.topic)) };
      },
      (e) => ({ ...e, offsets: [] }),
    );
  }

  /** Only the groups the principal may describe. */
  @SubscribeMessage(Events.listGroups)
  listGroups(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ListGroupsResponse> {
    return this.handle(
      async () => {
        parseGroupRequest.listGroups(body ?? {});
        const response = await this.node.groups.listGroups();
        return { ...response, groups: response.groups.filter((g) => this.gate.allows(socket, 'describe', 'group', g.groupId)) };
      },
      (e) => ({ ...e, groups: [] }),
    );
  }

  /** Deleting a group needs 'delete' on it; each group is answered in its own entry. */
  @SubscribeMessage(Events.deleteGroups)
  deleteGroups(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DeleteGroupsResponse> {
    return this.handle(
      async () => {
        const { groupIds } = parseGroupRequest.deleteGroups(body);
        for (const g of groupIds) this.gate.require(socket, Events.deleteGroups, 'delete', 'group', g);
        return this.node.groups.deleteGroups({ groupIds });
      },
      (e) => ({ ...e, results: [] }),
    );
  }

  /** A group the principal may not describe is answered GROUP_AUTHORIZATION_FAILED in its entry, with nothing about it. */
  @SubscribeMessage(Events.describeGroups)
  describeGroups(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DescribeGroupsResponse> {
    return this.handle(
      async () => {
        const { groupIds } = parseGroupRequest.describeGroups(body);
        const allowed = groupIds.filter((g) => this.gate.allows(socket, 'describe', 'group', g));
        const response = allowed.length > 0 ? await this.node.groups.describeGroups(allowed) : { errorCode: ErrorCode.NONE, groups: [] };
        const byId = new Map(response.groups.map((g) => [g.groupId, g]));
        const groups = groupIds.map((groupId) => {
          const found = byId.get(groupId);
          if (found) return found;
          const e = this.gate.denied(socket, Events.describeGroups, 'describe', 'group', groupId);
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
      (e) => ({ ...e, groups: [] }),
    );
  }

  private handle<R>(run: () => Promise<R> | R, onError: (e: ErrorShape) => R): Promise<R> {
    return respond(this.logger, run, onError);
  }
}
