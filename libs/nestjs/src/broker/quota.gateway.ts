import { Inject, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode } from '@tributary/broker';
import {
  CLUSTER_RESOURCE,
  ErrorCode,
  Events,
  parseQuotaRequest,
  type AlterClientQuotasResponse,
  type DescribeClientQuotasResponse,
  type DescribeConnectionResponse,
} from '@tributary/protocol';
import { principalOf } from './connection-principal';
import { QuotaThrottle } from './quota-throttle';
import { respond, type ErrorShape } from './respond';
import { SecurityGate } from './security-gate';
import { certificateOf } from './tls-principal';

/**
 * Client quotas (Kafka's AlterClientQuotas / DescribeClientQuotas: overrides kept in Redis,
 * enforced by every broker within a second) and describeConnection, which tells a client the
 * principal, client id, certificate and quotas the broker sees for its connection. As in
 * Kafka, changing quotas needs `alter-configs` on the cluster and reading them
 * `describe-configs`; any connection may ask who it is.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class QuotaGateway {
  private readonly logger = new Logger('QuotaGateway');

  private readonly gate: SecurityGate;

  constructor(@Inject(BrokerNode) private readonly node: BrokerNode) {
    this.gate = new SecurityGate(node.security);
  }

  @SubscribeMessage(Events.alterClientQuotas)
  alterClientQuotas(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<AlterClientQuotasResponse> {
    return this.handle<AlterClientQuotasResponse>(
      async () => {
        const { entries } = parseQuotaRequest.alterClientQuotas(body);
        this.gate.require(socket, Events.alterClientQuotas, 'alter-configs', 'cluster', CLUSTER_RESOURCE);
        await this.node.quotas.alter(entries);
        return { errorCode: ErrorCode.NONE };
      },
      (e) => e,
    );
  }

  @SubscribeMessage(Events.describeClientQuotas)
  describeClientQuotas(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DescribeClientQuotasResponse> {
    return this.handle<DescribeClientQuotasResponse>(
      async () => {
        const { entity } = parseQuotaRequest.describeClientQuotas(body ?? {});
        this.gate.require(socket, Events.describeClientQuotas, 'describe-configs', 'cluster', CLUSTER_RESOURCE);
        return { errorCode: ErrorCode.NONE, entries: await this.node.quotas.describe(entity) };
      },
      (e) => ({ ...e, entries: [] }),
    );
  }

  @SubscribeMessage(Events.describeConnection)
  describeConnection(@ConnectedSocket() socket: Socket): Promise<DescribeConnectionResponse> {
    return this.handle<DescribeConnectionResponse>(
      () => {
        const principal = principalOf(socket);
        const clientId = QuotaThrottle.clientIdOf(socket);
        return { errorCode: ErrorCode.NONE, principal, clientId, certificate: certificateOf(socket), quotas: this.node.quotas.quotasFor(principal, clientId) };
      },
      (e) => ({ ...e, principal: '', clientId: '', certificate: null, quotas: {} }),
    );
  }

  private handle<R>(run: () => Promise<R> | R, onError: (e: ErrorShape) => R): Promise<R> {
    return respond(this.logger, run, onError);
  }
}
