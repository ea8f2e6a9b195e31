import type { IncomingMessage } from 'http';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `host:port` of each broker's advertised address (`ws://broker-2:9093` -> `broker-2:9093`). */
export function brokerHosts(urls: Iterable<string>): string[] {
  const hosts: string[] = [];
  for (const u of urls) {
    try {
      hosts.push(new URL(u).host);
    } catch {
      // an address that is not a URL names no origin to allow
    }
  }
  return hosts;
}

/**
 * Whether a WebSocket handshake may proceed, judged by its Origin header. Browsers always
 * send one, so this is what stops a page on another site from talking to the broker with
 * the visitor's network position; Node clients and other brokers send none and pass.
 *
 * `allowed`: null is the default policy (same host as the broker, and localhost/127.0.0.1
 * for the console in development); otherwise a list of origins, or ['*'] for any. Either way
 * the hosts of the cluster's brokers (`clusterHosts`) pass: the web console served by any of
 * them connects to every partition leader.
 */
export function isOriginAllowed(
  origin: string | undefined,
  requestHost: string | undefined,
  allowed: readonly string[] | null,
  clusterHosts: () => Iterable<string> = () => [],
): boolean {
  if (origin === undefined) return true;
  if (allowed?.includes('*')) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  // The console served by this broker itself: the page's origin is the broker's own host.
  if (requestHost !== undefined && url.host === requestHost.toLowerCase()) return true;
  // ... or served by another broker of the cluster: its page reaches every partition leader
  for (const host of clusterHosts()) if (url.host === host.toLowerCase()) return true;
  if (allowed === null) return LOOPBACK.has(url.hostname);
  return allowed.some((entry) => sameOrigin(entry, url));
}

function sameOrigin(entry: string, url: URL): boolean {
  try {
    return new URL(entry).origin === url.origin;
  } catch {
    return false;
  }
}

/** engine.io's allowRequest hook: a refused origin gets a 403 handshake error naming the origin. */
export function originCheck(allowed: readonly string[] | null, clusterHosts?: () => Iterable<string>) {
  return (req: IncomingMessage, callback: (message: string | null | undefined, success: boolean) => void): void => {
    const origin = req.headers.origin;
    if (isOriginAllowed(origin, req.headers.host, allowed, clusterHosts)) return callback(null, true);
    callback(`origin '${String(origin).slice(0, 200)}' is not allowed (ALLOWED_ORIGINS)`, false);
  };
}
