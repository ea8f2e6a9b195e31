import type { Keys } from '../keys';

/** Redis keys of consumer groups, under the cluster prefix so they share its hash slot. */
export class GroupKeys {
  constructor(private readonly keys: Keys) {}

  /** set of every group id that ever stored state */
  get groups(): string {
    return `${this.keys.prefix}groups`;
  }

  /** string: the group's StoredGroup JSON (generation, members, assignment) */
  group(groupId: string): string {
    return `${this.keys.prefix}group:${groupId}`;
  }

  /** hash: "topic:partition" -> StoredOffset JSON */
  offsets(groupId: string): string {
    return `${this.keys.prefix}group-offsets:${groupId}`;
  }

  /** string with TTL: the coordinator lease, value = broker id */
  lease(groupId: string): string {
    return `${this.keys.prefix}group-lease:${groupId}`;
  }
}
