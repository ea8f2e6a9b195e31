import { Inject, Logger } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { BrokerNode } from '@tributary/broker';
import { respond, type ErrorShape } from './respond';
import {
  ErrorCode,
  Events,
  parseGroupRequest,
  type CommitOffsetsResponse,
  type DescribeGroupsResponse,
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

/**
 * Consumer-group requests on the broker's socket.io server (Nest attaches every gateway to the
 * same server). Each payload is validated first; errors come back as codes, never thrown.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class GroupGateway {
  private readonly logger = new Logger('GroupGateway');

  constructor(@Inject(BrokerNode) private readonly node: BrokerNode) {}

  @SubscribeMessage(Events.findCoordinator)
  findCoordinator(@MessageBody() body: unknown): Promise<FindCoordinatorResponse> {
    return this.handle(
      () => this.node.groups.findCoordinator(parseGroupRequest.findCoordinator(body).groupId),
      (e) => ({ ...e, nodeId: -1, host: '', port: -1, url: '' }),
    );
  }

  @SubscribeMessage(Events.joinGroup)
  joinGroup(@MessageBody() body: unknown): Promise<JoinGroupResponse> {
    return this.handle(
      () => this.node.groups.join(parseGroupRequest.joinGroup(body)),
      (e) => ({ ...e, generationId: -1, memberId: '', leaderId: '', assignor: '', assignment: [] }),
    );
  }

  @SubscribeMessage(Events.syncGroup)
  syncGroup(@MessageBody() body: unknown): Promise<SyncGroupResponse> {
    return this.handle(
      () => this.node.groups.sync(parseGroupRequest.syncGroup(body)),
      (e) => ({ ...e, assignment: [] }),
    );
  }

  @SubscribeMessage(Events.heartbeat)
  heartbeat(@MessageBody() body: unknown): Promise<HeartbeatResponse> {
    return this.handle(
      async () => (await this.node.groups.heartbeat(parseGroupRequest.heartbeat(body)), NONE),
      (e) => e,
    );
  }

  @SubscribeMessage(Events.leaveGroup)
  leaveGroup(@MessageBody() body: unknown): Promise<LeaveGroupResponse> {
    return this.handle(
      async () => (await this.node.groups.leave(parseGroupRequest.leaveGroup(body)), NONE),
      (e) => e,
    );
  }

  @SubscribeMessage(Events.commitOffsets)
  commitOffsets(@MessageBody() body: unknown): Promise<CommitOffsetsResponse> {
    return this.handle(
      async () => (await this.node.groups.commit(parseGroupRequest.commitOffsets(body)), NONE),
      (e) => e,
    );
  }

  @SubscribeMessage(Events.fetchOffsets)
  fetchOffsets(@MessageBody() body: unknown): Promise<FetchOffsetsResponse> {
    return this.handle(
      () => this.node.groups.fetchOffsets(parseGroupRequest.fetchOffsets(body)),
      (e) => ({ ...e, offsets: [] }),
    );
  }

  @SubscribeMessage(Events.listGroups)
  listGroups(@MessageBody() body: unknown): Promise<ListGroupsResponse> {
    return this.handle(
      () => (parseGroupRequest.listGroups(body ?? {}), this.node.groups.listGroups()),
      (e) => ({ ...e, groups: [] }),
    );
  }

  @SubscribeMessage(Events.describeGroups)
  describeGroups(@MessageBody() body: unknown): Promise<DescribeGroupsResponse> {
    return this.handle(
      () => this.node.groups.describeGroups(parseGroupRequest.describeGroups(body).groupIds),
      (e) => ({ ...e, groups: [] }),
    );
  }

  private handle<R>(run: () => Promise<R> | R, onError: (e: ErrorShape) => R): Promise<R> {
    return respond(this.logger, run, onError);
  }
}
