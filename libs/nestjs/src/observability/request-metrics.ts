import { Events, errorInfo } from '@tributary/protocol';
import type { Server, Socket } from 'socket.io';
import type { BrokerMetrics } from './broker-metrics';

const KNOWN = new Set<string>(Object.values(Events));

/**
 * Times every request from its arrival (before the connection's queue) to its acknowledgement,
 * labelled with its event and the error code it was answered with, and counts connections.
 * A socket.io middleware wrapping the ack callback: the gateways stay untouched.
 */
export function installRequestMetrics(server: Server, metrics: BrokerMetrics): void {
  server.on('connection', (socket: Socket) => {
    metrics.connections.inc();
    socket.once('disconnect', () => metrics.connections.dec());
    socket.use((packet, next) => {
      const ack: unknown = packet[packet.length - 1];
      if (typeof ack === 'function') {
        // bounded label values: a misspelt or hostile event name is counted as 'unknown'
        const request = typeof packet[0] === 'string' && KNOWN.has(packet[0]) ? packet[0] : 'unknown';
        const end = metrics.requestSeconds.startTimer({ request });
        packet[packet.length - 1] = (...args: unknown[]) => {
          end({ error: errorInfo(errorCodeOf(args[0])).name });
          (ack as (...a: unknown[]) => void)(...args);
        };
      }
      next();
    });
  });
}

/** The response's error code: the top-level one, else the first partition's or topic's. */
function errorCodeOf(response: unknown): number {
  if (typeof response !== 'object' || response === null) return 0;
  const r = response as { errorCode?: unknown; partitions?: unknown; topics?: unknown };
  if (typeof r.errorCode === 'number' && r.errorCode !== 0) return r.errorCode;
  for (const list of [r.partitions, r.topics]) {
    if (!Array.isArray(list)) continue;
    for (const item of list as Array<{ errorCode?: unknown }>) if (typeof item?.errorCode === 'number' && item.errorCode !== 0) return item.errorCode;
  }
  return 0;
}
