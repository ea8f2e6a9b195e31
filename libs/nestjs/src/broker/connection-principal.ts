import type { Socket } from 'socket.io';

/**
 * The authenticated identity of a connection, Kafka style: `User:<name>`. It lives on the
 * socket (`socket.data.principal`) so every layer that holds the socket — authentication,
 * mTLS, ACL checks, quotas, audit — reads the same value from one place.
 */
export type Principal = string;

/** The principal of a connection that has not authenticated (and of every connection when AUTH=none). */
export const ANONYMOUS: Principal = 'User:ANONYMOUS';

/** The principal other brokers of this cluster act as once their inter-broker proof is checked. */
export const BROKER_PRINCIPAL: Principal = 'User:__broker';

interface PrincipalData {
  principal?: unknown;
}

/** The principal this connection authenticated as, or ANONYMOUS. */
export function principalOf(socket: Pick<Socket, 'data'>): Principal {
  const p = (socket.data as PrincipalData | undefined)?.principal;
  return typeof p === 'string' && p.length > 0 ? p : ANONYMOUS;
}

/** Records the principal a connection proved (SASL, bearer token, client certificate or inter-broker proof). */
export function setPrincipal(socket: Pick<Socket, 'data'>, principal: Principal): void {
  if (!principal.startsWith('User:') || principal.length <= 'User:'.length) throw new Error(`a principal is 'User:<name>', not '${principal}'`);
  (socket.data as PrincipalData).principal = principal;
}

/** Whether this connection has authenticated as someone (anything but ANONYMOUS). */
export function isAuthenticated(socket: Pick<Socket, 'data'>): boolean {
  return principalOf(socket) !== ANONYMOUS;
}

/** `User:alice` for `alice`. */
export function userPrincipal(name: string): Principal {
  return `User:${name}`;
}
