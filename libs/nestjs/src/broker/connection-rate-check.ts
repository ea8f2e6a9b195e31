import type { IncomingMessage } from 'http';
import { ConnectionRateLimiter } from '@tributary/broker';

type AllowRequest = (req: IncomingMessage, callback: (message: string | null | undefined, success: boolean) => void) => void;

/**
 * engine.io's allowRequest (called once per handshake, before any socket.io packet): refuses a
 * client IP's connection beyond MAX_CONNECTION_CREATION_RATE per second, then defers to `inner`
 * (the origin check). A refusal is an HTTP error on the handshake naming the limit; the
 * connections the IP already has are untouched.
 */
export function connectionRateCheck(perSecond: number | undefined, inner: AllowRequest | undefined): AllowRequest | undefined {
  if (perSecond === undefined) return inner;
  const limiter = new ConnectionRateLimiter(perSecond);
  return (req, callback) => {
    const ip = req.socket.remoteAddress ?? 'unknown';
    if (!limiter.tryAcquire(ip, performance.now())) {
      return callback(`too many new connections from ${ip}: at most ${perSecond} per second (MAX_CONNECTION_CREATION_RATE)`, false);
    }
    if (inner) return inner(req, callback);
    callback(null, true);
  };
}
