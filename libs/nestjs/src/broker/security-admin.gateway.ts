import { Inject, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode } from '@tributary/broker';
import {
  CLUSTER_RESOURCE,
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
import { principalOf } from './connection-principal';
import { respond, type ErrorShape } from './respond';
import { SecurityGate } from './security-gate';

/**
 * Users and ACLs, administered over the wire (Kafka's AlterUserScramCredentials and
 * Create/Delete/DescribeAcls): changing either needs `alter` on the cluster, reading them
 * `describe` on the cluster. Every change is audited with who made it.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class SecurityAdminGateway {
  private readonly logger = new Logger('SecurityAdminGateway');
  private readonly gate: SecurityGate;

  constructor(@Inject(BrokerNode) private readonly node: BrokerNode) {
    this.gate = new SecurityGate(node.security);
  }

  @SubscribeMessage(Events.createUser)
  createUser(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<CreateUserResponse> {
    return this.handle(
      async (): Promise<CreateUserResponse> => {
        const req = parseSecurityRequest.createUser(body);
        this.gate.require(socket, Events.createUser, 'alter', 'cluster', CLUSTER_RESOURCE);
        await this.node.security.saveUser(req, principalOf(socket));
        return { errorCode: ErrorCode.NONE };
      },
      (e) => e,
    );
  }

  @SubscribeMessage(Events.deleteUser)
  deleteUser(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DeleteUserResponse> {
    return this.handle(
      async (): Promise<DeleteUserResponse> => {
        const { name } = parseSecurityRequest.deleteUser(body);
        this.gate.require(socket, Events.deleteUser, 'alter', 'cluster', CLUSTER_RESOURCE);
        await this.node.security.deleteUser(name, principalOf(socket));
        return { errorCode: ErrorCode.NONE };
      },
      (e) => e,
    );
  }

  @SubscribeMessage(Events.listUsers)
  listUsers(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ListUsersResponse> {
    return this.handle(
      async (): Promise<ListUsersResponse> => {
        parseSecurityRequest.listUsers(body ?? {});
        this.gate.require(socket, Events.listUsers, 'describe', 'cluster', CLUSTER_RESOURCE);
        return { errorCode: ErrorCode.NONE, users: await this.node.security.listUsers() };
      },
      (e) => ({ ...e, users: [] }),
    );
  }

  @SubscribeMessage(Events.createAcls)
  createAcls(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<CreateAclsResponse> {
    return this.handle(
      async (): Promise<CreateAclsResponse> => {
        const { acls } = parseSecurityRequest.createAcls(body);
        this.gate.require(socket, Events.createAcls, 'alter', 'cluster', CLUSTER_RESOURCE);
        await this.node.security.createAcls(acls, principalOf(socket));
        return { errorCode: ErrorCode.NONE };
      },
      (e) => e,
    );
  }

  @SubscribeMessage(Events.deleteAcls)
  deleteAcls(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DeleteAclsResponse> {
    return this.handle(
      async (): Promise<DeleteAclsResponse> => {
        const { filters } = parseSecurityRequest.deleteAcls(body);
        this.gate.require(socket, Events.deleteAcls, 'alter', 'cluster', CLUSTER_RESOURCE);
        return { errorCode: ErrorCode.NONE, deleted: await this.node.security.deleteAcls(filters, principalOf(socket)) };
      },
      (e) => ({ ...e, deleted: [] }),
    );
  }

  @SubscribeMessage(Events.describeAcls)
  describeAcls(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DescribeAclsResponse> {
    return this.handle(
      async (): Promise<DescribeAclsResponse> => {
        const { filter } = parseSecurityRequest.describeAcls(body ?? {});
        this.gate.require(socket, Events.describeAcls, 'describe', 'cluster', CLUSTER_RESOURCE);
        return { errorCode: ErrorCode.NONE, acls: await this.node.security.describeAcls(filter) };
      },
      (e) => ({ ...e, acls: [] }),
    );
  }

  private handle<R>(run: () => Promise<R> | R, onError: (e: ErrorShape) => R): Promise<R> {
    return respond(this.logger, run, onError);
  }
}
