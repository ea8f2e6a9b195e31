import type { GroupTP } from './group-types';

/** Who the coordinator knows this member as: what a commit must carry. */
export interface GroupIdentity {
  memberId: string;
  generationId: number;
}

/** One unbroken stretch of owning a partition; its identity follows the member's generations while it lasts. */
interface Holding {
  identity: GroupIdentity;
  /** the committed offset when it began (null: none); lower offsets were read under an older holding */
  floor: number | null;
}

interface HandedOut {
  first: number;
  last: number;
  holding: Holding;
}

/** batches remembered per partition, for commits of offsets from batches still in a handler */
const BATCHES_KEPT = 32;

const key = (tp: GroupTP): string => `${tp.topic}:${tp.partition}`;

export function sameIdentity(a: GroupIdentity | null, b: GroupIdentity | null): boolean {
  return a !== null && b !== null && a.memberId === b.memberId && a.generationId === b.generationId;
}

/**
 * Which group identity each partition's records were fetched under. A partition held without a
 * break across generations (cooperative-sticky keeps it through a rebalance) moves to the newest
 * identity: the coordinator knows the member owns it in that generation too. Once it is revoked
 * or lost, its holding keeps its last identity, so a batch still in a handler commits under the
 * identity it was fetched with and the coordinator refuses it, instead of the SDK passing it off
 * as the new holding's work.
 */
export class OwnershipLedger {
  private readonly held = new Map<string, Holding>();
  private readonly released = new Map<string, Holding>();
  private readonly batches = new Map<string, HandedOut[]>();

  /** The member holds `tp` under `identity` from now on; `floor` only counts when the holding is new. */
  hold(tp: GroupTP, identity: GroupIdentity, floor: number | null): void {
    const current = this.held.get(key(tp));
    if (current) current.identity = identity;
    else this.held.set(key(tp), { identity, floor });
  }

  release(tp: GroupTP): void {
    const current = this.held.get(key(tp));
    if (!current) return;
    this.held.delete(key(tp));
    this.released.set(key(tp), current);
  }

  /** Records `first..last` going to a handler under the partition's current holding. */
  handedOut(tp: GroupTP, first: number, last: number): void {
    const holding = this.held.get(key(tp));
    if (!holding) return;
    const list = this.batches.get(key(tp)) ?? [];
    list.push({ first, last, holding });
    if (list.length > BATCHES_KEPT) list.shift();
    this.batches.set(key(tp), list);
  }

  /** A seek back within the holding is the user's own rewind, not an older holding's offset. */
  lowerFloor(tp: GroupTP, offset: number): void {
    const current = this.held.get(key(tp));
    if (current && current.floor !== null && offset < current.floor) current.floor = offset;
  }

  /** The identity of the current holding (what positions read in it commit under), or null. */
  identityOf(tp: GroupTP): GroupIdentity | null {
    return this.held.get(key(tp))?.identity ?? null;
  }

  /**
   * The identity a commit of `offset` (next to read) for `tp` must carry: that of the holding the
   * batch with record offset - 1 was handed out under, when remembered; otherwise the current
   * holding's, unless the offset lies below where it began (then the previous holding's); when
   * not held any more, the last holding's; null when never held.
   */
  identityFor(tp: GroupTP, offset: number): GroupIdentity | null {
    const list = this.batches.get(key(tp)) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].first <= offset - 1 && offset - 1 <= list[i].last) return list[i].holding.identity;
    }
    const current = this.held.get(key(tp));
    const before = this.released.get(key(tp))?.identity ?? null;
    if (!current) return before;
    if (current.floor !== null && offset < current.floor && before !== null) return before;
    return current.identity;
  }
}
