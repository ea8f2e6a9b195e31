/**
 * Connections per second per client IP (Kafka's `max.connection.creation.rate`, applied per
 * IP as its `connection_creation_rate` quota): each IP keeps the times of its accepted
 * connections in the last second; one more than the rate is refused.
 */
export class ConnectionRateLimiter {
  private readonly recent = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(private readonly perSecond: number) {}

  /** Whether `ip` may open a connection at `now`; an accepted one counts against it. */
  tryAcquire(ip: string, now: number): boolean {
    this.sweep(now);
    const times = (this.recent.get(ip) ?? []).filter((t) => now - t < 1000);
    if (times.length >= this.perSecond) {
      this.recent.set(ip, times);
      return false;
    }
    times.push(now);
    this.recent.set(ip, times);
    return true;
  }

  /** Forgets IPs idle for a second, so the map holds only recent clients. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 10_000) return;
    this.lastSweep = now;
    for (const [ip, times] of this.recent) if (times.every((t) => now - t >= 1000)) this.recent.delete(ip);
  }
}
