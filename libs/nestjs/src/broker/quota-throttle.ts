import type { QuotaManager } from '@tributary/broker';
import { Events } from '@tributary/protocol';
import type { Socket } from 'socket.io';
import { BROKER_PRINCIPAL, principalOf } from './connection-principal';

/**
 * The inter-broker handshake: never throttled, or a quota could stall replication before the
 * connection has proven it is a broker. After that a broker is BROKER_PRINCIPAL, and exempt as
 * such; what a request claims (a fetch's replicaId) exempts nothing, or any client could skip
 * its quotas by naming a replica.
 */
const HANDSHAKE_EVENTS = new Set<string>([Events.brokerChallenge, Events.brokerAuthenticate]);

/** One request's quota accounting, opened when it starts and closed with its answer. */
export interface QuotaMeter {
  /** Records what the answer cost; sets `throttleTimeMs` on it when over a quota; returns the throttle (ms). */
  finish(response: unknown): number;
}

/**
 * Measures a connection's requests against its principal's and client id's quotas (produce
 * request bytes, fetch response bytes, requests) and tells the connection how long to hold.
 */
export class QuotaThrottle {
  constructor(private readonly quotas: QuotaManager) {}

  /** The clientId the connection gave in its handshake ('' when none, as Kafka's default). */
  static clientIdOf(socket: Socket): string {
    const auth: unknown = socket.handshake.auth;
    const id = typeof auth === 'object' && auth !== null ? (auth as { clientId?: unknown }).clientId : undefined;
    return typeof id === 'string' ? id : '';
  }

  /**
   * Whether the client throttles itself (KIP-219): the SDK says so in its handshake
   * (`auth.throttleAware`); it gets its answer at once and waits `throttleTimeMs` before its next
   * request, while other clients get the answer held back that long. The connection is muted either way.
   */
  static throttlesItself(socket: Socket): boolean {
    const auth: unknown = socket.handshake.auth;
    return typeof auth === 'object' && auth !== null && (auth as { throttleAware?: unknown }).throttleAware === true;
  }

  /** Opens the meter for a request, or null when quotas do not apply to it. */
  begin(socket: Socket, packet: unknown[]): QuotaMeter | null {
    const event = packet[0];
    const principal = principalOf(socket);
    if (typeof event !== 'string' || HANDSHAKE_EVENTS.has(event) || principal === BROKER_PRINCIPAL) return null;
    const body = packet[1];
    const clientId = QuotaThrottle.clientIdOf(socket);
    const produceBytes = event === Events.produce && isObject(body) && body.data instanceof Uint8Array ? body.data.byteLength : 0;
    return {
      finish: (response) => {
        let throttle = this.quotas.record('requestRate', principal, clientId, 1);
        if (produceBytes > 0) throttle = Math.max(throttle, this.quotas.record('producerByteRate', principal, clientId, produceBytes));
        if (event === Events.fetch && isObject(response) && response.records instanceof Uint8Array) {
          throttle = Math.max(throttle, this.quotas.record('consumerByteRate', principal, clientId, response.records.byteLength));
        }
        if (throttle > 0 && isObject(response)) response.throttleTimeMs = throttle;
        return throttle;
      },
    };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
