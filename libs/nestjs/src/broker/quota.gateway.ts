import { Inject } from '@nestjs/common';
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
import { anyone, onCluster } from './authorization-rules';
import { principalOf } from './connection-principal';
import { QuotaThrottle } from './quota-throttle';
import { route, RouteServer } from './request-route';
import { certificateOf } from './tls-principal';

const ALTER_CLIENT_QUOTAS = route({
  event: Events.alterClientQuotas,
  parse: parseQuotaRequest.alterClientQuotas,
  authorize: onCluster('alter-configs'),
  handle: async ({ node }, { entries }): Promise<AlterClientQuotasResponse> => {
    await node.quotas.alter(entries);
    return { errorCode: ErrorCode.NONE };
  },
  onError: (e) => e,
});

const DESCRIBE_CLIENT_QUOTAS = route({
  event: Events.describeClientQuotas,
  parse: (body: unknown) => parseQuotaRequest.describeClientQuotas(body ?? {}),
  authorize: onCluster('describe-configs'),
  handle: async ({ node }, { entity }): Promise<DescribeClientQuotasResponse> => ({ errorCode: ErrorCode.NONE, entries: await node.quotas.describe(entity) }),
  onError: (e) => ({ ...e, entries: [] }),
});

/** Any connection may ask who it is; the request has no body to read, so whatever it sends is ignored. */
const DESCRIBE_CONNECTION = route({
  event: Events.describeConnection,
  parse: () => null,
  authorize: anyone,
  handle: ({ node }, _request, socket): DescribeConnectionResponse => {
    const principal = principalOf(socket);
    const clientId = QuotaThrottle.clientIdOf(socket);
    return { errorCode: ErrorCode.NONE, principal, clientId, certificate: certificateOf(socket), quotas: node.quotas.quotasFor(principal, clientId) };
  },
  onError: (e) => ({ ...e, principal: '', clientId: '', certificate: null, quotas: {} }),
});

/**
 * Client quotas (Kafka's AlterClientQuotas / DescribeClientQuotas: overrides kept in Redis,
 * enforced by every broker within a second) and describeConnection, which tells a client the
 * principal, client id, certificate and quotas the broker sees for its connection. As in
 * Kafka, changing quotas needs `alter-configs` on the cluster and reading them
 * `describe-configs`; any connection may ask who it is.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class QuotaGateway {
  private readonly routes: RouteServer;

  constructor(@Inject(BrokerNode) node: BrokerNode) {
    this.routes = new RouteServer(node, 'QuotaGateway');
  }

  @SubscribeMessage(Events.alterClientQuotas)
  alterClientQuotas(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<AlterClientQuotasResponse> {
    return this.routes.serve(ALTER_CLIENT_QUOTAS, body, socket);
  }

  @SubscribeMessage(Events.describeClientQuotas)
  describeClientQuotas(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DescribeClientQuotasResponse> {
    return this.routes.serve(DESCRIBE_CLIENT_QUOTAS, body, socket);
  }

  @SubscribeMessage(Events.describeConnection)
  describeConnection(@ConnectedSocket() socket: Socket): Promise<DescribeConnectionResponse> {
    return this.routes.serve(DESCRIBE_CONNECTION, undefined, socket);
  }
}
