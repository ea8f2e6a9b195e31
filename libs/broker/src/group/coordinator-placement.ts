import type { BrokerInfo } from '@tributary/protocol';

/**
 * The broker that should coordinate a group when nobody holds its lease: a stable hash of the
 * group id over the live brokers sorted by id, so every broker computes the same answer and
 * groups spread over the cluster.
 */
export function preferredCoordinator(groupId: string, live: readonly BrokerInfo[]): BrokerInfo | undefined {
  if (live.length === 0) return undefined;
  const sorted = [...live].sort((a, b) => a.id - b.id);
  return sorted[fnv1a(groupId) % sorted.length];
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
