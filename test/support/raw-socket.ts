import { io, type Socket } from 'socket.io-client';

/** A bare socket.io connection to one broker, for tests that must send what the SDK never would. */
export class RawSocket {
  private constructor(
    private readonly socket: Socket,
    private readonly defaultTimeoutMs: number,
  ) {}

  /** `requestTimeoutMs`: how long a request waits for its answer unless it says otherwise */
  static connect(url: string, requestTimeoutMs = 10_000): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const s = io(url, { transports: ['websocket'], reconnection: false, timeout: 5000 });
      s.once('connect', () => resolve(new RawSocket(s, requestTimeoutMs)));
      s.once('connect_error', reject);
    });
  }

  request<T = Record<string, unknown>>(event: string, payload: unknown, timeoutMs = this.defaultTimeoutMs): Promise<T> {
    return new Promise((resolve, reject) => {
      this.socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, res: T) => (err ? reject(err) : resolve(res)));
    });
  }

  /** Sends without asking for an acknowledgement, as an acks=0 producer does. */
  emit(event: string, payload: unknown): void {
    this.socket.emit(event, payload);
  }

  close(): void {
    this.socket.close();
  }
}
