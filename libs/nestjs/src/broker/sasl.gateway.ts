import { Inject } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode, type SaslSession } from '@tributary/broker';
import {
  ErrorCode,
  Events,
  TributaryError,
  parseSecurityRequest,
  toErrorResponse,
  type SaslAuthenticateResponse,
  type SaslHandshakeResponse,
} from '@tributary/protocol';
import { clearPrincipal, isAuthenticated, principalExpiresAt, principalSource, setPrincipal } from './connection-principal';
import { anyone } from './authorization-rules';
import { route, RouteServer } from './request-route';

/** What a connection may send before it has authenticated: the handshakes themselves. */
const BEFORE_AUTHENTICATION = new Set<string>([Events.saslHandshake, Events.saslAuthenticate, Events.brokerChallenge, Events.brokerAuthenticate]);

/** The SASL exchange in progress per connection; gone with the connection. */
const sessions = new WeakMap<Socket, SaslSession>();

const SASL_HANDSHAKE = route({
  event: Events.saslHandshake,
  parse: parseSecurityRequest.saslHandshake,
  authorize: anyone,
  handle: ({ node }, { mechanism }, socket): SaslHandshakeResponse => {
    // A client certificate authenticates the transport; SASL on top of it names the user, as on
    // Kafka's SASL_SSL listener. A second SASL exchange on one connection is refused.
    if (isAuthenticated(socket) && principalSource(socket) !== 'certificate')
      throw TributaryError.of('ILLEGAL_SASL_STATE', 'this connection has already authenticated');
    sessions.set(socket, node.security.startSasl(mechanism));
    return { errorCode: ErrorCode.NONE, mechanisms: node.security.mechanisms };
  },
  onError: (e, { node }) => ({ ...e, mechanisms: node.security.mechanisms }),
});

const SASL_AUTHENTICATE = route({
  event: Events.saslAuthenticate,
  parse: parseSecurityRequest.saslAuthenticate,
  authorize: anyone,
  handle: async ({ node }, { authBytes }, socket): Promise<SaslAuthenticateResponse> => {
    const session = sessions.get(socket);
    if (!session) throw TributaryError.of('ILLEGAL_SASL_STATE', 'saslAuthenticate: send saslHandshake with a mechanism first');
    try {
      const step = await session.step(authBytes);
      if (step.principal === undefined) return { errorCode: ErrorCode.NONE, authBytes: step.response };
      sessions.delete(socket);
      clearPrincipal(socket);
      setPrincipal(socket, step.principal, step.expiresAt);
      return { errorCode: ErrorCode.NONE, authBytes: step.response, principal: step.principal };
    } catch (err) {
      // one failed exchange ends it: the next attempt starts with a new handshake
      sessions.delete(socket);
      node.security.audit.record({
        event: 'authentication-failed',
        mechanism: session.mechanism,
        ...(session.claimedUser ? { user: session.claimedUser } : {}),
        host: socket.handshake.address,
        reason: toErrorResponse(err).errorMessage,
      });
      throw err;
    }
  },
  onError: (e) => ({ ...e, authBytes: '' }),
});

/**
 * Client authentication, Kafka's way: `saslHandshake` names a mechanism, then
 * `saslAuthenticate` carries its messages until the connection has a principal. With AUTH on,
 * every other request on a connection that has not authenticated (or whose token expired) is
 * answered SASL_AUTHENTICATION_FAILED before any handler sees it; brokers prove themselves
 * with the inter-broker handshake instead and act as BROKER_PRINCIPAL.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class SaslGateway implements OnGatewayConnection {
  private readonly routes: RouteServer;

  constructor(@Inject(BrokerNode) private readonly node: BrokerNode) {
    this.routes = new RouteServer(node, 'SaslGateway');
  }

  handleConnection(socket: Socket): void {
    if (!this.node.security.enabled) return;
    socket.use((packet: unknown[], next) => {
      const event = packet[0];
      if (typeof event === 'string' && BEFORE_AUTHENTICATION.has(event)) return next();
      const expiresAt = principalExpiresAt(socket);
      if (isAuthenticated(socket) && (expiresAt === undefined || expiresAt > Date.now())) return next();
      const expired = isAuthenticated(socket);
      const ack: unknown = packet[packet.length - 1];
      const message = expired
        ? 'authentication expired (the token is past its exp): reconnect with a fresh token'
        : 'authenticate first: saslHandshake, then saslAuthenticate (the broker runs with AUTH on)';
      if (typeof ack === 'function') (ack as (r: unknown) => void)({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message });
      if (expired) socket.disconnect(true);
    });
  }

  @SubscribeMessage(Events.saslHandshake)
  handshake(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<SaslHandshakeResponse> {
    return this.routes.serve(SASL_HANDSHAKE, body, socket);
  }

  @SubscribeMessage(Events.saslAuthenticate)
  authenticate(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<SaslAuthenticateResponse> {
    return this.routes.serve(SASL_AUTHENTICATE, body, socket);
  }
}
