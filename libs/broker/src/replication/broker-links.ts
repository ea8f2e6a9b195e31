import { io, type Socket } from 'socket.io-client';
import { TributaryError, type ResponseBase } from '@tributary/protocol';

/**
 * WebSocket connections from this broker to its peers, for what followers must ask leaders
 * directly: catch-up fetches and KIP-101 epoch end offsets. One connection per peer URL.
 */
export class BrokerLinks {
  private readonly sockets = new Map<string, Socket>();
  private readonly everConnected = new Set<string>();

  constructor(private readonly requestTimeoutMs: number) {}

  async request<Res extends ResponseBase>(url: string, event: string, payload: unknown): Promise<Res> {
    const socket = this.socketFor(url);
    // A request to a peer that is down must fail now, not sit in socket.io's send buffer for
    // the whole timeout: it runs inside a partition's mailbox, and the new leader's epoch waits behind it.
    if (!socket.connected) {
      // A peer we were connected to and lost is down now: fail at once. A new connection gets a moment to open.
      if (this.everConnected.has(url)) throw TributaryError.of('NETWORK_EXCEPTION', `lost the connection to broker ${url}`);
      await waitConnected(socket, Math.min(CONNECT_WAIT_MS, this.requestTimeoutMs), url);
    }
    const res = await new Promise<Res>((resolve, reject) => {
      socket.timeout(this.requestTimeoutMs).emit(event, payload, (err: Error | null, r: Res) => {
        if (err) reject(TributaryError.of('NETWORK_EXCEPTION', `${event} to ${url} failed: ${err.message}`));
        else resolve(r);
      });
    });
    if (res.errorCode !== 0) throw new TributaryError(res.errorCode, res.errorMessage);
    return res;
  }

  close(): void {
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }

  private socketFor(url: string): Socket {
    let s = this.sockets.get(url);
    if (!s) {
      // Requests made while disconnected are buffered by socket.io and sent on reconnect;
      // the timeout above bounds how long any of them waits.
      s = io(url, { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 1000 });
      s.on('connect', () => this.everConnected.add(url));
      this.sockets.set(url, s);
    }
    return s;
  }
}

const CONNECT_WAIT_MS = 1000;

function waitConnected(socket: Socket, timeoutMs: number, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: TributaryError | null) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      if (err) reject(err);
      else resolve();
    };
    const onConnect = () => done(null);
    const timer = setTimeout(() => done(TributaryError.of('NETWORK_EXCEPTION', `broker ${url} is not reachable`)), timeoutMs);
    socket.on('connect', onConnect);
    if (socket.connected) done(null);
  });
}
