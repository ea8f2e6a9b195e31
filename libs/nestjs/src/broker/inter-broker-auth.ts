import { Inject } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode, type AuthenticatedBroker } from '@tributary/broker';
import { ErrorCode, Events, TributaryError, parseInterBrokerRequest, type BrokerAuthenticateResponse, type BrokerChallengeResponse } from '@tributary/protocol';
import { clearPrincipal, setPrincipal, BROKER_PRINCIPAL } from './connection-principal';
import { anyone, route, RouteServer } from './request-route';

interface ConnectionTrust {
  /** the challenge this connection may answer, once */
  pending: { nonce: string; peerNonce: string } | null;
  broker: AuthenticatedBroker | null;
  /** one warning per connection, however many bad proofs it sends */
  warned: boolean;
}

/** Per-connection trust; a dropped connection takes its identity with it. */
const trust = new WeakMap<Socket, ConnectionTrust>();

function trustOf(socket: Socket): ConnectionTrust {
  let t = trust.get(socket);
  if (!t) {
    t = { pending: null, broker: null, warned: false };
    trust.set(socket, t);
  }
  return t;
}

/** The broker this connection proved to be, or null for a client connection. */
export function authenticatedBroker(socket: Socket): AuthenticatedBroker | null {
  return trust.get(socket)?.broker ?? null;
}

/**
 * Guards an inter-broker request: the connection must have authenticated as a broker of this
 * cluster and, when the request names a replica, as that replica. Throws
 * CLUSTER_AUTHORIZATION_FAILED otherwise, before the request touches any partition.
 */
export function requireBroker(socket: Socket, event: string, replicaId: number | undefined): AuthenticatedBroker {
  const broker = authenticatedBroker(socket);
  const as = replicaId === undefined ? '' : ` as replica ${replicaId}`;
  if (!broker) throw TributaryError.of('CLUSTER_AUTHORIZATION_FAILED', `${event}${as}: only a broker that authenticated on this connection may send it`);
  if (replicaId !== undefined && replicaId !== broker.brokerId) {
    throw TributaryError.of('CLUSTER_AUTHORIZATION_FAILED', `${event}${as}: this connection authenticated as broker ${broker.brokerId}`);
  }
  return broker;
}

/**
 * A fetch is a replica fetch when it names a replica; a client's fetch needs nothing. A replica
 * fetch speaks for the incarnation that authenticated: it may not name another broker epoch.
 */
export function requireReplicaIfNamed(socket: Socket, event: string, replicaId: number | undefined, replicaBrokerEpoch?: number): void {
  if (replicaId === undefined) return;
  const broker = requireBroker(socket, event, replicaId);
  if (replicaBrokerEpoch !== undefined && broker.brokerEpoch !== undefined && replicaBrokerEpoch !== broker.brokerEpoch) {
    throw TributaryError.of(
      'STALE_BROKER_EPOCH',
      `${event} as replica ${replicaId}: broker epoch ${replicaBrokerEpoch} is not the one this connection proved (${broker.brokerEpoch})`,
    );
  }
}

const BROKER_CHALLENGE = route({
  event: Events.brokerChallenge,
  parse: parseInterBrokerRequest.brokerChallenge,
  authorize: anyone,
  handle: ({ node }, { peerNonce }, socket): BrokerChallengeResponse => {
    const t = trustOf(socket);
    // A new handshake starts from nothing: whoever this connection was, it must prove it again.
    if (t.broker) clearPrincipal(socket);
    t.broker = null;
    const { nonce, response } = node.interBroker.challenge(peerNonce);
    t.pending = { nonce, peerNonce };
    return response;
  },
  onError: (e, { node }) => ({ ...e, clusterId: node.config.clusterId, brokerId: node.config.brokerId, nonce: '', proof: '' }),
});

const BROKER_AUTHENTICATE = route({
  event: Events.brokerAuthenticate,
  // parsed in the handler, after the challenge is spent: even a malformed answer costs one
  parse: (body: unknown) => body,
  authorize: anyone,
  handle: ({ node, logger }, body, socket): BrokerAuthenticateResponse => {
    const t = trustOf(socket);
    const pending = t.pending;
    // One answer per challenge: a guess that fails costs the guesser a new round trip.
    t.pending = null;
    if (t.broker) clearPrincipal(socket);
    t.broker = null;
    const request = parseInterBrokerRequest.brokerAuthenticate(body);
    if (!pending) throw TributaryError.of('CLUSTER_AUTHORIZATION_FAILED', 'brokerAuthenticate: ask for a brokerChallenge on this connection first');
    const broker = node.interBroker.verifyPeer(pending.nonce, pending.peerNonce, request);
    if (!broker) {
      if (!t.warned) {
        t.warned = true;
        logger.warn(
          `a connection from ${socket.handshake.address} failed the inter-broker challenge claiming broker ${request.brokerId}; if it is a broker, its INTER_BROKER_SECRET differs from this one's`,
        );
      }
      throw TributaryError.of(
        'CLUSTER_AUTHORIZATION_FAILED',
        `brokerAuthenticate: the proof for broker ${request.brokerId} is not valid for cluster '${node.config.clusterId}'`,
      );
    }
    t.broker = broker;
    // a proven broker is a super user: replication and catch-up pass every ACL
    setPrincipal(socket, BROKER_PRINCIPAL, undefined, 'broker');
    return { errorCode: ErrorCode.NONE };
  },
  onError: (e) => e,
});

/**
 * Guards a request that speaks for a replica (its log-end reports): the connection must have
 * proved both the broker id and the broker epoch the request names. Returns that proven
 * identity, which is what the request is applied for.
 */
export function requireProvenReplica(socket: Socket, event: string, replicaId: number, brokerEpoch: number): { brokerId: number; brokerEpoch: number } {
  const broker = requireBroker(socket, event, replicaId);
  if (broker.brokerEpoch === undefined || broker.brokerEpoch !== brokerEpoch) {
    throw TributaryError.of(
      'STALE_BROKER_EPOCH',
      `${event} as replica ${replicaId}: broker epoch ${brokerEpoch} is not the one this connection proved (${broker.brokerEpoch ?? 'none'})`,
    );
  }
  return { brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch };
}

/**
 * The server half of the inter-broker handshake: hands out a nonce (with this broker's own
 * proof over the peer's nonce), and marks the connection as broker N once it answers with a
 * valid proof. A wrong proof leaves the connection a plain client connection.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class InterBrokerAuthGateway {
  private readonly routes: RouteServer;

  constructor(@Inject(BrokerNode) node: BrokerNode) {
    this.routes = new RouteServer(node, 'InterBrokerAuth');
    // Our own outgoing handshakes that a peer refused (or that failed its proof) are logged here too.
    node.interBroker.onWarning = (message) => this.routes.logger.warn(message);
  }

  @SubscribeMessage(Events.brokerChallenge)
  challenge(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<BrokerChallengeResponse> {
    return this.routes.serve(BROKER_CHALLENGE, body, socket);
  }

  @SubscribeMessage(Events.brokerAuthenticate)
  authenticate(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<BrokerAuthenticateResponse> {
    return this.routes.serve(BROKER_AUTHENTICATE, body, socket);
  }
}
