import type { Socket } from 'socket.io';
import { BROKER_PRINCIPAL } from '@tributary/broker';

/**
 * The authenticated identity of a connection, Kafka style: `User:<name>`. It lives on the
 * socket (`socket.data.principal`) so every layer that holds the socket — authentication,
 * mTLS, ACL checks, quotas, audit — reads the same value from one place.
 */
export type Principal = string;

/** The principal of a connection that has not authenticated (and of every connection when AUTH=none). */
export const ANONYMOUS: Principal = 'User:ANONYMOUS';

/** The principal other brokers of this cluster act as once their inter-broker proof is checked (a super user). */
export { BROKER_PRINCIPAL };

interface PrincipalData {
  principal?: unknown;
  /** ms since the epoch after which the authentication no longer holds (a bearer token's exp) */
  principalExpiresAt?: unknown;
  principalSource?: unknown;
}

/** What proved the principal: a SASL exchange (or token), a verified client certificate, or the inter-broker proof. */
export type PrincipalSource = 'sasl' | 'certificate' | 'broker';

/** The principal this connection authenticated as, or ANONYMOUS. */
export function principalOf(socket: Pick<Socket, 'data'>): Principal {
  const p = (socket.data as PrincipalData | undefined)?.principal;
  return typeof p === 'string' && p.length > 0 ? p : ANONYMOUS;
}

/**
 * Records the principal a connection proved (SASL, bearer token, client certificate or
 * inter-broker proof); `expiresAt` (ms since the epoch) when the proof lapses, as a token's does.
 */
export function setPrincipal(socket: Pick<Socket, 'data'>, principal: Principal, expiresAt?: number, source: PrincipalSource = 'sasl'): void {
  if (!principal.startsWith('User:') || principal.length <= 'User:'.length) throw new Error(`a principal is 'User:<name>', not '${principal}'`);
  const data = socket.data as PrincipalData;
  data.principal = principal;
  data.principalExpiresAt = expiresAt;
  data.principalSource = source;
}

/** What proved this connection's principal, or undefined while it is ANONYMOUS. */
export function principalSource(socket: Pick<Socket, 'data'>): PrincipalSource | undefined {
  const s = (socket.data as PrincipalData | undefined)?.principalSource;
  return isAuthenticated(socket) && (s === 'sasl' || s === 'certificate' || s === 'broker') ? s : undefined;
}

/** Forgets what the connection proved: it is ANONYMOUS again (a new handshake starts over). */
export function clearPrincipal(socket: Pick<Socket, 'data'>): void {
  const data = socket.data as PrincipalData;
  data.principal = undefined;
  data.principalExpiresAt = undefined;
  data.principalSource = undefined;
}

/** Whether this connection has authenticated as someone (anything but ANONYMOUS). */
export function isAuthenticated(socket: Pick<Socket, 'data'>): boolean {
  return principalOf(socket) !== ANONYMOUS;
}

/** When the connection's authentication lapses (ms since the epoch), or undefined if it does not. */
export function principalExpiresAt(socket: Pick<Socket, 'data'>): number | undefined {
  const at = (socket.data as PrincipalData | undefined)?.principalExpiresAt;
  return typeof at === 'number' ? at : undefined;
}

/** `User:alice` for `alice`. */
export function userPrincipal(name: string): Principal {
  return `User:${name}`;
}
