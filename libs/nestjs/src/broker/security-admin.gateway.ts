import { Inject } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode } from '@tributary/broker';
import {
  ErrorCode,
  Events,
  parseSecurityRequest,
  type CreateAclsResponse,
  type CreateUserResponse,
  type DeleteAclsResponse,
  type DeleteUserResponse,
  type DescribeAclsResponse,
  type ListUsersResponse,
} from '@tributary/protocol';
import { onCluster } from './authorization-rules';
import { principalOf } from './connection-principal';
import { route, RouteServer } from './request-route';

const CREATE_USER = route({
  event: Events.createUser,
  parse: parseSecurityRequest.createUser,
  authorize: onCluster('alter'),
  handle: async ({ node }, request, socket): Promise<CreateUserResponse> => {
    await node.security.saveUser(request, principalOf(socket));
    return { errorCode: ErrorCode.NONE };
  },
  onError: (e) => e,
});

const DELETE_USER = route({
  event: Events.deleteUser,
  parse: parseSecurityRequest.deleteUser,
  authorize: onCluster('alter'),
  handle: async ({ node }, { name }, socket): Promise<DeleteUserResponse> => {
    await node.security.deleteUser(name, principalOf(socket));
    return { errorCode: ErrorCode.NONE };
  },
  onError: (e) => e,
});

const LIST_USERS = route({
  event: Events.listUsers,
  parse: (body: unknown) => parseSecurityRequest.listUsers(body ?? {}),
  authorize: onCluster('describe'),
  handle: async ({ node }): Promise<ListUsersResponse> => ({ errorCode: ErrorCode.NONE, users: await node.security.listUsers() }),
  onError: (e) => ({ ...e, users: [] }),
});

const CREATE_ACLS = route({
  event: Events.createAcls,
  parse: parseSecurityRequest.createAcls,
  authorize: onCluster('alter'),
  handle: async ({ node }, { acls }, socket): Promise<CreateAclsResponse> => {
    await node.security.createAcls(acls, principalOf(socket));
    return { errorCode: ErrorCode.NONE };
  },
  onError: (e) => e,
});

const DELETE_ACLS = route({
  event: Events.deleteAcls,
  parse: parseSecurityRequest.deleteAcls,
  authorize: onCluster('alter'),
  handle: async ({ node }, { filters }, socket): Promise<DeleteAclsResponse> => ({
    errorCode: ErrorCode.NONE,
    deleted: await node.security.deleteAcls(filters, principalOf(socket)),
  }),
  onError: (e) => ({ ...e, deleted: [] }),
});

const DESCRIBE_ACLS = route({
  event: Events.describeAcls,
  parse: (body: unknown) => parseSecurityRequest.describeAcls(body ?? {}),
  authorize: onCluster('describe'),
  handle: async ({ node }, { filter }): Promise<DescribeAclsResponse> => ({ errorCode: ErrorCode.NONE, acls: await node.security.describeAcls(filter) }),
  onError: (e) => ({ ...e, acls: [] }),
});

/**
 * Users and ACLs, administered over the wire (Kafka's AlterUserScramCredentials and
 * Create/Delete/DescribeAcls): changing either needs `alter` on the cluster, reading them
 * `describe` on the cluster. Every change is audited with who made it.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class SecurityAdminGateway {
  private readonly routes: RouteServer;

  constructor(@Inject(BrokerNode) node: BrokerNode) {
    this.routes = new RouteServer(node, 'SecurityAdminGateway');
  }

  @SubscribeMessage(Events.createUser)
  createUser(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<CreateUserResponse> {
    return this.routes.serve(CREATE_USER, body, socket);
  }

  @SubscribeMessage(Events.deleteUser)
  deleteUser(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DeleteUserResponse> {
    return this.routes.serve(DELETE_USER, body, socket);
  }

  @SubscribeMessage(Events.listUsers)
  listUsers(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ListUsersResponse> {
    return this.routes.serve(LIST_USERS, body, socket);
  }

  @SubscribeMessage(Events.createAcls)
  createAcls(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<CreateAclsResponse> {
    return this.routes.serve(CREATE_ACLS, body, socket);
  }

  @SubscribeMessage(Events.deleteAcls)
  deleteAcls(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DeleteAclsResponse> {
    return this.routes.serve(DELETE_ACLS, body, socket);
  }

  @SubscribeMessage(Events.describeAcls)
  describeAcls(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DescribeAclsResponse> {
    return this.routes.serve(DESCRIBE_ACLS, body, socket);
  }
}
