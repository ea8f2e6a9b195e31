/** Kafka's quota window: samples of one second, the rate taken over the last eleven. */
export const QUOTA_SAMPLE_MS = 1000;
export const QUOTA_SAMPLES = 11;
/** Longest a single answer is held back (Kafka caps it at the quota window too). */
export const MAX_THROTTLE_MS = QUOTA_SAMPLES * QUOTA_SAMPLE_MS;

/**
 * A windowed rate, as Kafka's quota sensors measure it: what was recorded in the last
 * QUOTA_SAMPLES one-second samples, over the time they span. Unlike Kafka, the span counts
 * from the first sample (at least one second) rather than always the full window, so a new
 * client's first burst is bounded by about one second's quota, not eleven.
 */
export class RateSensor {
  private readonly starts: number[] = [];
  private readonly totals: number[] = [];

  /** Adds `value` at `now`; returns how long the client must wait for its rate to fall back to `quota` (0 when under it). */
  record(value: number, quota: number | undefined, now: number): number {
    this.expire(now);
    const current = this.starts.length - 1;
    if (current < 0 || now - this.starts[current] >= QUOTA_SAMPLE_MS) {
      this.starts.push(now);
      this.totals.push(value);
    } else {
      this.totals[current] += value;
    }
    if (quota === undefined) return 0;
    return throttleMs(this.total(), this.windowMs(now), quota);
  }

  /** recorded per second over the window */
  rate(now: number): number {
    this.expire(now);
    return (this.total() * 1000) / this.windowMs(now);
  }

  private total(): number {
    let t = 0;
    for (const v of this.totals) t += v;
    return t;
  }

  private windowMs(now: number): number {
    const first = this.starts[0] ?? now;
    return Math.max(QUOTA_SAMPLE_MS, now - first);
  }

  private expire(now: number): void {
    while (this.starts.length > 0 && now - this.starts[0] >= QUOTA_SAMPLES * QUOTA_SAMPLE_MS) {
      this.starts.shift();
      this.totals.shift();
    }
  }
}

/**
 * Kafka's ClientQuotaManager: with O the observed rate over a window W and T the quota,
 * delay = (O - T) / T * W, i.e. how long nothing more may arrive for the rate to be T again.
 */
export function throttleMs(total: number, windowMs: number, quotaPerSecond: number): number {
  const observed = (total * 1000) / windowMs;
  if (observed <= quotaPerSecond) return 0;
  return Math.min(MAX_THROTTLE_MS, Math.round(((observed - quotaPerSecond) / quotaPerSecond) * windowMs));
}
