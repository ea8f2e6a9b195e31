import { ErrorCode, Events, TributaryError, type EventName, type MetadataRequest, type ResponseBase } from '@tributary/protocol';
import { io, type Socket } from 'socket.io-client';
import { authenticate, type ClientAuth } from '../auth/client-auth';
import { asTributaryError, ClientStateError, ConnectionError, RequestTimeoutError } from '../errors';
import type { Logger } from '../logger/logger';
import { MAX_TIMER_MS } from '../util/timers';
import { normalizeBinary } from './normalize-binary';
import type { TlsOptions } from './tls-options';

export interface BrokerConnectionOptions {
  url: string;
  clientId: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  logger: Logger;
  /** for wss:// (Node): CA, client certificate */
  tls?: TlsOptions;
  /** credentials for brokers with AUTH on: each new socket authenticates before any request is sent on it */
  auth?: ClientAuth;
}

interface PendingRequest {
  socket: Socket;
  fail: (error: TributaryError) => void;
}

/**
 * One socket.io connection to one broker. Requests are events with an ack callback. The
 * connection does not reconnect by itself: the next request reopens it, so callers see each
 * loss as a retriable NETWORK_EXCEPTION and decide (usually after a metadata refresh) where
 * to retry, rather than having socket.io silently replay requests to a broker that may no
 * longer lead the partition.
 */
export class BrokerConnection {
  readonly url: string;
  private socket: Socket | null = null;
  private opening: Promise<Socket> | null = null;
  private readonly pending = new Set<PendingRequest>();
  private closed = false;
  /** ack-less emits on the current socket that no answered round trip has followed yet */
  private unconfirmedSends = 0;
  /** Date.now() until which a broker quota asked this client to send nothing (throttleTimeMs, KIP-219) */
  private throttledUntil = 0;

  constructor(private readonly options: BrokerConnectionOptions) {
    this.url = options.url;
  }

  get isConnected(): boolean {
    return this.socket?.connected === true;
  }

  /** requests sent and not yet answered, failed or timed out */
  get inFlight(): number {
    return this.pending.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async connect(): Promise<void> {
    await this.ensureSocket();
  }

  /**
   * Sends `event` and resolves with the broker's answer. Rejects with ConnectionError on
   * disconnect, RequestTimeoutError after `timeoutMs` (the wait for the socket to open counts
   * separately, bounded by connectionTimeoutMs), and TributaryError(code) when the answer's
   * top-level errorCode is not NONE.
   */
  async request<Req, Res extends ResponseBase>(event: EventName, payload: Req, timeoutMs = this.options.requestTimeoutMs): Promise<Res> {
    await this.throttleWait();
    const socket = await this.ensureSocket();
    const raw = await this.roundTrip(socket, event, payload, timeoutMs);
    this.noteThrottle(raw);
    return parseResponse<Res>(event, this.url, raw);
  }

  /**
   * Emits without waiting for an answer (produce with acks=0): resolves once handed to the
   * socket, which does not mean the broker has it yet; flushSends() confirms that.
   */
  async send<Req>(event: EventName, payload: Req): Promise<void> {
    await this.throttleWait();
    const socket = await this.ensureSocket();
    socket.emit(event, payload);
    this.unconfirmedSends++;
  }

  /**
   * Resolves once the broker has taken in every ack-less send made on the current socket.
   * Waiting for the socket's write buffer to drain is not enough: socket.io's server drops
   * events it had read but not yet dispatched when the client's disconnect packet arrives in
   * the same read, so the only proof is a round trip behind them. Any answer to it will do
   * (events on one socket are dispatched in order); a lost socket or a timeout rejects.
   */
  async flushSends(timeoutMs = this.options.requestTimeoutMs): Promise<void> {
    const socket = this.socket;
    const count = this.unconfirmedSends;
    if (count === 0) return;
    if (!socket?.connected) throw new ConnectionError(this.url, `${count} ack-less send(s) to ${this.url} could not be confirmed: the connection was lost`);
    try {
      const barrier: MetadataRequest = { topics: [] };
      await this.roundTrip(socket, Events.metadata, barrier, timeoutMs);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ConnectionError(this.url, `${count} ack-less send(s) to ${this.url} could not be confirmed: ${why}`);
    }
    // sends made while the barrier was out are confirmed only by a later one
    this.unconfirmedSends -= count;
  }

  /** Confirms ack-less sends (see flushSends), then closes; rejects if they could not be confirmed, but closes either way. */
  async flushAndClose(timeoutMs = this.options.requestTimeoutMs): Promise<void> {
    try {
      await this.flushSends(timeoutMs);
    } finally {
      this.close();
    }
  }

  /** ms this connection still holds requests back because a broker quota throttled it */
  get throttleRemainingMs(): number {
    return Math.max(0, this.throttledUntil - Date.now());
  }

  /**
   * A quota answer (throttleTimeMs > 0) means: send this broker nothing more for that long. The
   * broker mutes the connection meanwhile anyway; waiting here keeps requests from queueing there
   * against their timeouts.
   */
  private noteThrottle(raw: unknown): void {
    const t = typeof raw === 'object' && raw !== null ? (raw as { throttleTimeMs?: unknown }).throttleTimeMs : undefined;
    if (typeof t === 'number' && t > 0 && Number.isFinite(t)) {
      this.throttledUntil = Math.max(this.throttledUntil, Date.now() + Math.min(t, MAX_TIMER_MS));
      this.options.logger.debug('throttled by a broker quota', { url: this.url, throttleTimeMs: t });
    }
  }

  private async throttleWait(): Promise<void> {
    while (!this.closed && this.throttleRemainingMs > 0) await new Promise((resolve) => setTimeout(resolve, this.throttleRemainingMs));
  }

  /** Closes for good: pending requests fail with NETWORK_EXCEPTION, later ones with ClientStateError. */
  close(): void {
    this.closed = true;
    const socket = this.socket;
    this.socket = null;
    socket?.disconnect();
    this.failPending(null, new ConnectionError(this.url, `connection to ${this.url} was closed`));
  }

  /**
   * Emits with an acknowledgement and resolves with the raw answer. The timeout goes through
   * socket.io's own (socket.timeout) so that a request that never gets an answer also leaves
   * no ack callback behind in the socket: a timed-out request holds nothing.
   */
  private roundTrip(socket: Socket, event: EventName, payload: unknown, timeoutMs: number): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const entry: PendingRequest = {
        socket,
        fail: (error) => {
          if (settled) return;
          settled = true;
          this.pending.delete(entry);
          reject(error);
        },
      };
      this.pending.add(entry);
      // setTimeout fires at once above 2^31-1 ms: a huge produce timeoutMs must not become none
      socket.timeout(Math.min(timeoutMs, MAX_TIMER_MS)).emit(event, payload, (err: Error | null, response: unknown) => {
        if (err) {
          // a disconnect also lands here, after the 'disconnect' handler already failed the entry
          entry.fail(socket.connected ? new RequestTimeoutError(this.url, event, timeoutMs) : new ConnectionError(this.url, `disconnected from ${this.url}`));
          return;
        }
        if (settled) return;
        settled = true;
        this.pending.delete(entry);
        resolve(response);
      });
    });
  }

  private ensureSocket(): Promise<Socket> {
    if (this.closed) return Promise.reject(new ClientStateError(`connection to ${this.url} is closed`));
    if (this.socket?.connected) return Promise.resolve(this.socket);
    if (!this.opening) {
      this.opening = this.open().finally(() => {
        this.opening = null;
      });
    }
    return this.opening;
  }

  private open(): Promise<Socket> {
    const { url, clientId, connectionTimeoutMs, logger, tls } = this.options;
    logger.debug('connecting', { url });
    return new Promise<Socket>((resolve, reject) => {
      // forceNew: socket.io would otherwise share one Manager per URL across every client in the process
      const socket = io(url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        timeout: connectionTimeoutMs,
        // throttleAware: this client waits out throttleTimeMs itself, so the broker answers at once (KIP-219)
        auth: { clientId, throttleAware: true },
        ...(tls && url.startsWith('wss://') ? tls : {}),
      });
      const fail = (error: TributaryError): void => {
        clearTimeout(timer);
        socket.off();
        socket.disconnect();
        reject(error);
      };
      const timer = setTimeout(() => fail(new ConnectionError(url, `connecting to ${url} timed out after ${connectionTimeoutMs} ms`)), connectionTimeoutMs);
      socket.once('connect_error', (err: Error) => fail(new ConnectionError(url, `cannot connect to ${url}: ${err.message}`)));
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('connect_error');
        if (this.closed) {
          socket.disconnect();
          reject(new ClientStateError(`connection to ${url} is closed`));
          return;
        }
        const auth = this.options.auth;
        if (!auth) {
          this.adopt(socket);
          resolve(socket);
          return;
        }
        authenticate(url, auth, (event, payload) => this.rawRequest(socket, event, payload)).then(
          () => {
            if (this.closed) {
              socket.disconnect();
              reject(new ClientStateError(`connection to ${url} is closed`));
              return;
            }
            this.adopt(socket);
            resolve(socket);
          },
          (err: unknown) => {
            socket.off();
            socket.disconnect();
            reject(asTributaryError(err));
          },
        );
      });
    });
  }

  /** One request on a socket not yet adopted (the authentication exchange): the raw answer, or a ConnectionError. */
  private rawRequest<Res>(socket: Socket, event: string, payload: unknown): Promise<Res> {
    const { requestTimeoutMs } = this.options;
    return new Promise<Res>((resolve, reject) => {
      socket.timeout(Math.min(requestTimeoutMs, MAX_TIMER_MS)).emit(event, payload, (err: Error | null, response: unknown) => {
        if (err) reject(new ConnectionError(this.url, `authenticating to ${this.url}: no answer to ${event} (${err.message})`));
        else resolve(normalizeBinary(response) as Res);
      });
    });
  }

  private adopt(socket: Socket): void {
    this.socket = socket;
    // ack-less sends on an earlier socket are beyond confirming: acks=0 promised no more than that
    this.unconfirmedSends = 0;
    socket.on('disconnect', (reason: string) => {
      if (this.socket === socket) this.socket = null;
      this.options.logger.debug('disconnected', { url: this.url, reason });
      this.failPending(socket, new ConnectionError(this.url, `disconnected from ${this.url}: ${reason}`));
    });
  }

  private failPending(socket: Socket | null, error: TributaryError): void {
    for (const entry of [...this.pending]) if (socket === null || entry.socket === socket) entry.fail(error);
  }
}

function parseResponse<Res extends ResponseBase>(event: string, url: string, raw: unknown): Res {
  const response = normalizeBinary(raw);
  if (!isResponse(response)) {
    throw new TributaryError(ErrorCode.UNKNOWN_SERVER_ERROR, `malformed ${event} response from ${url}`);
  }
  if (response.errorCode !== ErrorCode.NONE) throw new TributaryError(response.errorCode, response.errorMessage || undefined);
  // the shape beyond errorCode is the broker's contract, checked by the protocol's types on its side
  return response as Res;
}

function isResponse(value: unknown): value is ResponseBase {
  return typeof value === 'object' && value !== null && typeof (value as { errorCode?: unknown }).errorCode === 'number';
}
