import { InvalidConfigError } from '../errors';

const SCHEMES = new Set(['ws:', 'wss:']);

/**
 * Turns a bootstrap address as users write it into the canonical `ws://host:port` form the
 * brokers advertise, or throws InvalidConfigError naming the address.
 *
 * - `host:port` (Kafka's own form) means `ws://host:port`;
 * - `ws://` and `wss://` are kept; any other scheme (http, tcp, kafka...) is refused, since
 *   socket.io would otherwise try it, fail after its retries and say nothing useful;
 * - a path, query or fragment is refused: socket.io reads a path as a namespace, not a broker.
 */
export function normalizeBrokerAddress(address: string, option = 'brokers'): string {
  const raw = address.trim();
  const fail = (why: string): never => {
    throw new InvalidConfigError(option, `${option}: '${raw.slice(0, 200)}' is not a broker address: ${why}`);
  };
  if (raw.length === 0) fail('it is empty');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(raw);
  if (scheme && !SCHEMES.has(`${scheme[1].toLowerCase()}:`)) {
    fail(`scheme '${scheme[1]}://' is not supported; use host:port, ws://host:port or wss://host:port`);
  }
  let url: URL;
  try {
    url = new URL(scheme ? raw : `ws://${raw}`);
  } catch {
    return fail('expected host:port, ws://host:port or wss://host:port');
  }
  if (!SCHEMES.has(url.protocol)) fail('expected host:port, ws://host:port or wss://host:port');
  if (url.hostname === '') fail('the host is missing');
  if (url.username !== '' || url.password !== '') fail('credentials do not belong in a broker address');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') fail('a broker address has no path, query or fragment');
  // Kafka's host:port form has no default port; a bare host is most likely a forgotten port
  if (!scheme && !/:\d+$/.test(raw)) fail('the port is missing (host:port)');
  if (url.port === '0') fail('port 0 is not a broker port');
  return `${url.protocol}//${url.host}`;
}

/** Normalises a list of bootstrap addresses, dropping duplicates but keeping the given order. */
export function normalizeBrokerList(addresses: readonly string[], option = 'brokers'): string[] {
  return [...new Set(addresses.map((a) => normalizeBrokerAddress(a, option)))];
}
