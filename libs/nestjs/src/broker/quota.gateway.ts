import { Inject, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode } from '@tributary/broker';
import {
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
import { certificateOf } from './tls-principal';

/**
 * Client quotas (Kafka's AlterClientQuotas / DescribeClientQuotas: overrides kept in Redis,
 * enforced by every broker within a second) and describeConnection, which tells a client the
 * principal, client id, certificate and quotas the broker sees for its connection.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class QuotaGateway {
  private readonly logger = new Logger('QuotaGateway');

  constructor(@Inject(BrokerNode) private readonly node: BrokerNode) {}

  @SubscribeMessage(Events.alterClientQuotas)
  alterClientQuotas(@MessageBody() body: unknown): Promise<AlterClientQuotasResponse> {
    return this.handle<AlterClientQuotasResponse>(
      async () => {
        await this.node.quotas.alter(parseQuotaRequest.alterClientQuotas(body).entries);
        return { errorCode: ErrorCode.NONE };
      },
      (e) => e,
    );
  }

  @SubscribeMessage(Events.describeClientQuotas)
  describeClientQuotas(@MessageBody() body: unknown): Promise<DescribeClientQuotasResponse> {
    return this.handle<DescribeClientQuotasResponse>(
      async () => ({ errorCode: ErrorCode.NONE, entries: await this.node.quotas.describe(parseQuotaRequest.describeClientQuotas(body ?? {}).entity) }),
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
