import { ErrorCode, TributaryError, type EventName, type ResponseBase } from '@tributary/protocol';
import { io, type Socket } from 'socket.io-client';
import { ClientStateError, ConnectionError, RequestTimeoutError } from '../errors';
import type { Logger } from '../logger/logger';
import type { Timer } from '../util/timers';
import { normalizeBinary } from './normalize-binary';

export interface BrokerConnectionOptions {
  url: string;
  clientId: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  logger: Logger;
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

  constructor(private readonly options: BrokerConnectionOptions) {
    this.url = options.url;
  }

  get isConnected(): boolean {
    return this.socket?.connected === true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async connect(): Promise<void> {
    await this.ensureSocket();
  }

  /**
   * Sends `event` and resolves with the broker's answer. Rejects with ConnectionError on
   * disconnect, RequestTimeoutError after `timeoutMs`, and TributaryError(code) when the
   * answer's top-level errorCode is not NONE.
   */
  async request<Req, Res extends ResponseBase>(event: EventName, payload: Req, timeoutMs = this.options.requestTimeoutMs): Promise<Res> {
    const socket = await this.ensureSocket();
    const raw = await new Promise<unknown>((resolve, reject) => {
      let timer: Timer | undefined;
      const entry: PendingRequest = {
        socket,
        fail: (error) => {
          clearTimeout(timer);
          this.pending.delete(entry);
          reject(error);
        },
      };
      timer = setTimeout(() => entry.fail(new RequestTimeoutError(this.url, event, timeoutMs)), timeoutMs);
      this.pending.add(entry);
      socket.emit(event, payload, (response: unknown) => {
        clearTimeout(timer);
        this.pending.delete(entry);
        resolve(response);
      });
    });
    return parseResponse<Res>(event, this.url, raw);
  }

  /** Emits without waiting for an answer (produce with acks=0): resolves once handed to the socket. */
  async send<Req>(event: EventName, payload: Req): Promise<void> {
    const socket = await this.ensureSocket();
    socket.emit(event, payload);
  }

  /** Closes for good: pending requests fail with NETWORK_EXCEPTION, later ones with ClientStateError. */
  close(): void {
    this.closed = true;
    const socket = this.socket;
    this.socket = null;
    socket?.disconnect();
    this.failPending(null, new ConnectionError(this.url, `connection to ${this.url} was closed`));
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
    const { url, clientId, connectionTimeoutMs, logger } = this.options;
    logger.debug('connecting', { url });
    return new Promise<Socket>((resolve, reject) => {
      // forceNew: socket.io would otherwise share one Manager per URL across every client in the process
      const socket = io(url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        timeout: connectionTimeoutMs,
        auth: { clientId },
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
        this.adopt(socket);
        resolve(socket);
      });
    });
  }

  private adopt(socket: Socket): void {
    this.socket = socket;
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
