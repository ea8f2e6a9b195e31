import { Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { BrokerNode } from '@tributary/broker';
import { ErrorCode, toErrorResponse } from '@tributary/protocol';
import { SecurityGate } from './security-gate';

export type ErrorShape = { errorCode: number; errorMessage: string };

/** What a route's stages work with: one per gateway, made once, so serving a request allocates nothing of its own. */
export interface RouteContext {
  readonly node: BrokerNode;
  readonly gate: SecurityGate;
  readonly logger: Logger;
}

/** Who may send a request: returns, or throws the (audited) refusal. Rules live in authorization-rules.ts. */
export type Authorization<Q> = (gate: SecurityGate, socket: Socket, request: Q, event: string) => void;

/**
 * Any connection may send it (what AUTH requires is enforced before any route, in SaslGateway).
 * Here rather than with the other rules (authorization-rules.ts), which use the inter-broker
 * guards: the handshake's own routes need it without that import cycle.
 */
export const anyone: Authorization<unknown> = () => undefined;

/**
 * One request kind, end to end: the event it answers, its body's parser, who may send it, what
 * it does, and the answer's shape when it fails. Routes are module constants, written once,
 * so a gateway's `@SubscribeMessage` handler is one line: `serve(ROUTE, body, socket)`.
 */
export interface Route<Q, R> {
  /** named in refusals and audit lines */
  readonly event: string;
  readonly parse: (body: unknown) => Q;
  readonly authorize: Authorization<NoInfer<Q>>;
  /** `body` is the raw payload, for what the transport bound to it (the fetch's request scope) */
  readonly handle: (context: RouteContext, request: NoInfer<Q>, socket: Socket, body: unknown) => Promise<R> | R;
  /** the answer's empty shape around the error's code and message */
  readonly onError: (e: ErrorShape, context: RouteContext) => R;
}

/** Declares a route; the request type comes from the parser, the response type from the handler. */
export function route<Q, R>(definition: Route<Q, R>): Route<Q, R> {
  return definition;
}

/**
 * Serves a gateway's routes: parse → authorize → handle, and any error, thrown by any stage,
 * becomes the error code in the acknowledgement, so nothing a client sends can throw past a
 * gateway; only unexpected errors are logged, with their stack. One async call per request and
 * no closure: produce and fetch pay nothing more than a hand-written handler would.
 *
 * Nest's own pipes, guards and interceptors were the alternative; each adds awaited steps (and
 * an RxJS pipeline for interceptors) to every request, and Nest's WS exception filter answers
 * with an `exception` event instead of the acknowledgement the clients wait for. Request
 * metrics are not a stage here: the socket.io middleware in request-metrics.ts times each
 * request from its arrival (queue time included, as Kafka's TotalTimeMs) and also counts the
 * answers no route gives (unauthenticated, over a connection limit).
 */
export class RouteServer implements RouteContext {
  readonly gate: SecurityGate;
  readonly logger: Logger;

  constructor(
    readonly node: BrokerNode,
    loggerName: string,
  ) {
    this.gate = new SecurityGate(node.security);
    this.logger = new Logger(loggerName);
  }

  async serve<Q, R>(route: Route<Q, R>, body: unknown, socket: Socket): Promise<R> {
    try {
      const request = route.parse(body);
      route.authorize(this.gate, socket, request, route.event);
      return await route.handle(this, request, socket, body);
    } catch (err) {
      const e = toErrorResponse(err);
      if (e.errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) this.logger.error(err instanceof Error ? err.stack : String(err));
      return route.onError(e, this);
    }
  }
}
