import type { ClusterDescription } from '@tributary/client';

type BrokerInfo = ClusterDescription['brokers'][number];

/** bytes on disk of each replica: broker id -> "topic/partition" -> bytes */
export type LogSizes = Map<number, Map<string, number>>;

const SIZE_LINE = /^tributary_log_log_size_bytes\{([^}]*)\}\s+([0-9.eE+-]+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The HTTP origin of a broker's socket.io address: the same port serves /metrics. */
export function httpOrigin(broker: BrokerInfo): string {
  const url = new URL(broker.url);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return url.origin;
}

/**
 * Log sizes are not part of the wire protocol; each broker publishes its replicas' sizes as the
 * Prometheus gauge `tributary_log_log_size_bytes` (Kafka's `Log Size`), which /metrics serves
 * to any origin. A broker that does not answer simply has no sizes shown.
 */
export async function fetchLogSizes(brokers: readonly BrokerInfo[]): Promise<LogSizes> {
  const sizes: LogSizes = new Map();
  await Promise.all(
    brokers.map(async (b) => {
      try {
        const res = await fetch(`${httpOrigin(b)}/metrics`, { cache: 'no-store' });
        if (res.ok) sizes.set(b.id, parseLogSizes(await res.text()));
      } catch {
        // unreachable from this browser (another network, TLS, down): the size column says '–'
      }
    }),
  );
  return sizes;
}

export function parseLogSizes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = SIZE_LINE.exec(line);
    if (!m) continue;
    const labels = new Map([...m[1].matchAll(LABEL)].map((l) => [l[1], l[2]]));
    out.set(`${labels.get('topic')}/${labels.get('partition')}`, Number(m[2]));
  }
  return out;
}
