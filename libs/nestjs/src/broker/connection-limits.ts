import { bindRequestScope, type RequestScope } from '@tributary/broker';
import { ErrorCode, isValidClientId } from '@tributary/protocol';
import type { Server, Socket } from 'socket.io';
import { QuotaThrottle } from './quota-throttle';

export interface ConnectionLimitOptions {
  /** requests one connection may have running at once */
  maxInFlight: number;
  /** requests that may wait behind them; beyond it THROTTLING_QUOTA_EXCEEDED */
  maxQueued: number;
  /** unsent response bytes over which no new response is built and reads pause */
  sendBufferMaxBytes: number;
  /** client quotas: over one, answers are held back (or flagged, for clients that throttle themselves) and the connection muted */
  quotas?: QuotaThrottle;
}

/** How often a blocked connection re-checks its send buffer: the kernel gives no event when a peer reads. */
const RECHECK_MS = 20;

/**
 * Backpressure per connection, as Kafka does it by muting a channel: a bounded number of
 * requests run at once, and while the peer is not reading its responses no new one is
 * started and the socket's reads pause, so a slow or hostile reader costs the broker its
 * send limit, not unbounded memory. Every request gets a RequestScope (bound to its body) whose signal
 * aborts when the connection closes, so long polls end with it.
 */
export function installConnectionLimits(server: Server, options: ConnectionLimitOptions): void {
  server.use((socket, next) => {
    // Kafka's legal characters for client ids: nothing a console or log shows can carry markup or control bytes.
    const auth: unknown = socket.handshake.auth;
    const clientId = typeof auth === 'object' && auth !== null ? (auth as { clientId?: unknown }).clientId : undefined;
    if (clientId !== undefined && (typeof clientId !== 'string' || !isValidClientId(clientId))) {
      return next(new Error(`INVALID_REQUEST: clientId must be up to 249 of [a-zA-Z0-9._-]`));
    }
    next();
  });
  server.on('connection', (socket: Socket) => new ConnectionGovernor(socket, options));
}

type Packet = unknown[];

/** Events of the socket itself (socket.io's parser already drops a connection that sends most of them; 'error' it lets through). */
const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'error', 'newListener', 'removeListener']);
type Next = (err?: Error) => void;

/** The parts of engine.io's connection this needs (its types do not expose the transport's socket). */
interface EngineConnection {
  writeBuffer: Array<{ data?: unknown }>;
  transport: { name: string; socket?: { bufferedAmount?: number; pause?: () => void; resume?: () => void } };
}

class ConnectionGovernor {
  private inFlight = 0;
  private reserved = 0;
  private readonly queue: Array<() => void> = [];
  private readonly writableWaiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  /** performance.now() until which a quota mutes this connection: nothing new starts and reads pause (Kafka's channel mute) */
  private mutedUntil = 0;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionLimitOptions,
  ) {
    socket.use((packet, next) => this.admit(packet, next));
    socket.once('disconnect', () => this.close());
  }

  private admit(packet: Packet, next: Next): void {
    // A request no gateway handles (a misspelt event, one this broker does not serve yet) would
    // never be acknowledged: the client would wait out its timeout and the slot would be held
    // for the life of the connection. Answer it here, at once, as Kafka answers an API it lacks.
    if (typeof packet[0] !== 'string' || RESERVED_EVENTS.has(packet[0]) || this.socket.listenerCount(packet[0]) === 0) return this.unknown(packet);
    if (this.queue.length === 0 && this.canStart()) return this.start(packet, next);
    if (this.queue.length >= this.options.maxQueued) return this.refuse(packet);
    this.queue.push(() => this.start(packet, next));
    this.pump();
  }

  private canStart(): boolean {
    return this.inFlight < this.options.maxInFlight && this.unsentBytes() < this.options.sendBufferMaxBytes && this.mutedMs() === 0;
  }

  private start(packet: Packet, next: Next): void {
    this.inFlight++;
    let mine = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.inFlight--;
      this.reserved -= mine;
      mine = 0;
      this.pump();
    };
    const scope: RequestScope = {
      signal: this.abort.signal,
      whenWritable: () => this.whenWritable(() => this.unsentBytes() + this.reserved - mine < this.options.sendBufferMaxBytes),
      sendBudget: () => Math.max(0, this.options.sendBufferMaxBytes - this.unsentBytes() - (this.reserved - mine)),
      reserve: (bytes) => {
        if (finished) return;
        this.reserved += bytes - mine;
        mine = bytes;
      },
    };
    bindRequestScope(packet[1], scope);
    const ack = packet[packet.length - 1];
    const meter = this.options.quotas?.begin(this.socket, packet) ?? null;
    if (typeof ack === 'function') {
      // The response is in the send buffer once the ack is called: from then on it counts there, not as a reservation.
      const answer = (args: unknown[]) => {
        try {
          (ack as (...a: unknown[]) => void)(...args);
        } finally {
          finish();
        }
      };
      packet[packet.length - 1] = (...args: unknown[]) => {
        const throttleMs = meter?.finish(args[0]) ?? 0;
        if (throttleMs === 0) return answer(args);
        this.muteFor(throttleMs);
        // A client that throttles itself gets the answer now; any other has it held back, as Kafka did before KIP-219.
        if (QuotaThrottle.throttlesItself(this.socket)) return answer(args);
        setTimeout(() => answer(args), throttleMs);
      };
      next();
    } else {
      // No acknowledgement to wait for (acks=0): the slot is the dispatch itself, and a quota can only mute.
      next();
      const throttleMs = meter?.finish(undefined) ?? 0;
      if (throttleMs > 0) this.muteFor(throttleMs);
      finish();
    }
  }

  private muteFor(ms: number): void {
    this.mutedUntil = Math.max(this.mutedUntil, performance.now() + ms);
    this.pump();
  }

  private mutedMs(): number {
    return Math.max(0, Math.ceil(this.mutedUntil - performance.now()));
  }

  private refuse(packet: Packet): void {
    const ack = packet[packet.length - 1];
    const message = `more than ${this.options.maxInFlight} requests running and ${this.options.maxQueued} waiting on this connection`;
    if (typeof ack === 'function') (ack as (r: unknown) => void)({ errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, errorMessage: message });
  }

  private unknown(packet: Packet): void {
    const ack = packet[packet.length - 1];
    const name = typeof packet[0] === 'string' ? packet[0].slice(0, 100) : typeof packet[0];
    if (typeof ack === 'function')
      (ack as (r: unknown) => void)({ errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: `this broker does not serve "${name}" requests` });
  }

  private whenWritable(check: () => boolean): Promise<void> {
    if (this.abort.signal.aborted || check()) return Promise.resolve();
    return new Promise((resolve) => {
      this.writableWaiters.push({ check, resolve });
      this.pump();
    });
  }

  /** Starts what may start, wakes writers that have room, and pauses reads while the peer is not reading. */
  private pump(): void {
    if (this.abort.signal.aborted) return;
    while (this.queue.length > 0 && this.canStart()) this.queue.shift()?.();
    for (let i = this.writableWaiters.length - 1; i >= 0; i--) {
      const w = this.writableWaiters[i];
      if (w.check()) {
        this.writableWaiters.splice(i, 1);
        w.resolve();
      }
    }
    const sendBlocked = this.unsentBytes() >= this.options.sendBufferMaxBytes;
    const waiting = this.queue.length > 0 || this.writableWaiters.length > 0;
    const muted = this.mutedMs();
    this.setPaused((sendBlocked && waiting) || muted > 0);
    if ((waiting || muted > 0) && this.timer === null) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.pump();
        },
        sendBlocked && waiting ? RECHECK_MS : Math.max(muted, RECHECK_MS),
      );
    }
  }

  private setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    const ws = this.engine().transport.socket;
    if (ws?.pause === undefined || ws.resume === undefined) return;
    this.paused = paused;
    if (paused) ws.pause();
    else ws.resume();
  }

  /** Response bytes handed to the connection and not yet taken by the kernel: engine.io's queue plus the WebSocket's buffer. */
  private unsentBytes(): number {
    const conn = this.engine();
    let n = 0;
    for (const p of conn.writeBuffer) n += sizeOf(p.data);
    if (conn.transport.name === 'websocket') n += conn.transport.socket?.bufferedAmount ?? 0;
    return n;
  }

  private engine(): EngineConnection {
    return this.socket.conn as unknown as EngineConnection;
  }

  private close(): void {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    for (const w of this.writableWaiters.splice(0)) w.resolve();
  }
}

function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}
