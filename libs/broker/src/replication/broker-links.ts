import { io, type Socket } from 'socket.io-client';
import { TributaryError, type ResponseBase } from '@tributary/protocol';

/**
 * WebSocket connections from this broker to its peers, for what followers must ask leaders
 * directly: catch-up fetches and KIP-101 epoch end offsets. One connection per peer URL.
 */
export class BrokerLinks {
  private readonly sockets = new Map<string, Socket>();

  constructor(private readonly requestTimeoutMs: number) {}

  async request<Res extends ResponseBase>(url: string, event: string, payload: unknown): Promise<Res> {
    const socket = this.socketFor(url);
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
      this.sockets.set(url, s);
    }
    return s;
  }
}
