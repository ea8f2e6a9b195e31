import { TributaryError } from '@tributary/protocol';

interface ReplicaProgress {
  /** -1 until the follower has reported in this epoch */
  logEndOffset: number;
  /** last time it was known to be caught up, Kafka's lastCaughtUpTimeMs */
  caughtUpAt: number;
  /** when it last reported, and the leader's log end then */
  lastReportAt: number;
  leaderEndAtLastReport: number;
  /** the broker epoch of the incarnation that reported last, -1 before any report */
  brokerEpoch: number;
  /** since when the leader holds data this follower had not reported having; null while caught up */
  behindSince: number | null;
}

interface PendingAck {
  /** the high watermark that commits the write: its last offset + 1 */
  required: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * What a leader tracks for one epoch: each follower's progress, and the acks=all requests
 * waiting for the high watermark. Made fresh on every new epoch, so nothing from a previous
 * epoch can advance this one.
 */
export class LeaderState {
  private readonly replicas = new Map<number, ReplicaProgress>();
  private pending: PendingAck[] = [];

  constructor(followers: readonly number[], now: number) {
    this.setFollowers(followers, now);
  }

  /**
   * The followers to track: new ones start unheard of (a new leader, or a replica a
   * reassignment added, gets one lag period to report before it is judged); removed ones go.
   */
  setFollowers(followers: readonly number[], now: number): void {
    for (const id of [...this.replicas.keys()]) if (!followers.includes(id)) this.replicas.delete(id);
    for (const f of followers) {
      if (this.replicas.has(f)) continue;
      this.replicas.set(f, {
        logEndOffset: -1,
        caughtUpAt: now,
        lastReportAt: now,
        leaderEndAtLastReport: Number.MAX_SAFE_INTEGER,
        brokerEpoch: -1,
        behindSince: null,
      });
    }
  }

  /** Each follower's last reported log end (-1 before it reported). */
  followerLogEnds(): Map<number, number> {
    return new Map([...this.replicas].map(([id, p]) => [id, p.logEndOffset]));
  }

  /**
   * A follower's report. One from an older incarnation of the broker than already reported is
   * 'stale' and ignored; the first from a newer one ('reborn') replaces what the old one said,
   * since a restarted broker may have lost its unflushed tail (Kafka's KIP-903).
   */
  record(replicaId: number, logEndOffset: number, leaderLogEnd: number, now: number, brokerEpoch: number): 'ok' | 'stale' | 'reborn' {
    const p = this.replicas.get(replicaId);
    if (!p) return 'ok';
    if (brokerEpoch < p.brokerEpoch) return 'stale';
    const reborn = brokerEpoch > p.brokerEpoch && p.brokerEpoch >= 0;
    p.logEndOffset = brokerEpoch > p.brokerEpoch ? logEndOffset : Math.max(p.logEndOffset, logEndOffset);
    p.brokerEpoch = brokerEpoch;
    // Kafka's rule: caught up now if it reached the leader's end; else caught up as of its
    // previous report if it has reached where the leader was then. Under steady load a
    // follower is always a little behind the live end, and must not be judged lagging for it.
    if (logEndOffset >= leaderLogEnd) p.caughtUpAt = now;
    else if (logEndOffset >= p.leaderEndAtLastReport) p.caughtUpAt = Math.max(p.caughtUpAt, p.lastReportAt);
    p.lastReportAt = now;
    p.leaderEndAtLastReport = leaderLogEnd;
    if (p.logEndOffset >= leaderLogEnd) p.behindSince = null;
    return reborn ? 'reborn' : 'ok';
  }

  /** The broker epoch the replica last reported under, -1 if it has not reported in this epoch. */
  brokerEpochOf(replicaId: number): number {
    return this.replicas.get(replicaId)?.brokerEpoch ?? -1;
  }

  /** The leader appended: followers that were caught up start owing a report from now. */
  appended(now: number): void {
    for (const p of this.replicas.values()) if (p.behindSince === null) p.behindSince = now;
  }

  logEndOffsetOf(replicaId: number): number {
    return this.replicas.get(replicaId)?.logEndOffset ?? -1;
  }

  /** The smallest log end among the ISR (the leader's own included); followers not yet heard from hold it back. */
  highWatermark(isr: readonly number[], leaderId: number, leaderLogEnd: number): number {
    let hw = leaderLogEnd;
    for (const id of isr) {
      if (id === leaderId) continue;
      const leo = this.replicas.get(id)?.logEndOffset ?? -1;
      if (leo < 0) return -1;
      hw = Math.min(hw, leo);
    }
    return hw;
  }

  /** ISR followers that have not caught up within `lagMaxMs`. */
  lagging(isr: readonly number[], leaderId: number, now: number, lagMaxMs: number): number[] {
    return isr.filter((id) => id !== leaderId && now - (this.replicas.get(id)?.caughtUpAt ?? 0) > lagMaxMs);
  }

  /**
   * ISR followers that hold the high watermark back (their log ends below the leader's) and
   * have sent no report at all for `stallMs`. A live follower under load reports with every
   * stream entry, so steady load never trips this; a dead or cut-off one stops reporting, and
   * leaves after a lease-scale time instead of the whole replica lag time.
   */
  stalled(isr: readonly number[], leaderId: number, leaderLogEnd: number, now: number, stallMs: number): number[] {
    return isr.filter((id) => {
      if (id === leaderId) return false;
      const p = this.replicas.get(id);
      if (!p) return false;
      if (p.behindSince === null || p.logEndOffset >= leaderLogEnd) return false;
      // an idle follower reports rarely: its silence counts only from the first data it owes
      return now - Math.max(p.behindSince, p.lastReportAt) > stallMs;
    });
  }

  /** Followers outside the ISR whose log reaches the high watermark: they may rejoin. */
  caughtUp(isr: readonly number[], highWatermark: number): number[] {
    return [...this.replicas.entries()].filter(([id, p]) => !isr.includes(id) && p.logEndOffset >= highWatermark && p.logEndOffset >= 0).map(([id]) => id);
  }

  waitFor(required: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry: PendingAck = {
        required,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.pending = this.pending.filter((p) => p !== entry);
          reject(TributaryError.of('REQUEST_TIMED_OUT', `the in-sync replicas did not reach offset ${required - 1} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.pending.push(entry);
    });
  }

  /** Completes waiting requests the high watermark now covers; `verdict` may still fail them. */
  settle(highWatermark: number, verdict: () => TributaryError | null): void {
    if (this.pending.length === 0) return;
    const done = this.pending.filter((p) => p.required <= highWatermark);
    if (done.length === 0) return;
    this.pending = this.pending.filter((p) => p.required > highWatermark);
    const err = verdict();
    for (const p of done) {
      clearTimeout(p.timer);
      if (err) p.reject(err);
      else p.resolve();
    }
  }

  failAll(err: TributaryError): void {
    const all = this.pending;
    this.pending = [];
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}
