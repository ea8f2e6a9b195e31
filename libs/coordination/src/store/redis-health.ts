import type Redis from 'ioredis';

/**
 * Whether this process's view of Redis is current: the connection is ready and a round trip
 * completed within `staleAfterMs`. A broker cut off from Redis (reset, or packets silently
 * dropped, where ioredis still says 'ready' and commands just wait) must not keep presenting
 * its frozen metadata as the truth: other brokers may have elected new leaders meanwhile.
 */
export class RedisHealth {
  /** when the last successful probe was sent (the conservative end of its round trip) */
  private lastOkAt = 0;
  /** the last completed probe's round trip, ms (the Redis RTT metric); NaN before the first */
  lastRoundTripMs = Number.NaN;
  private probing = false;
  private timer: NodeJS.Timeout | null = null;

  readonly #redis: Redis;

  constructor(
    redis: Redis,
    private readonly staleAfterMs: number,
    private readonly probeEveryMs = Math.max(50, Math.floor(staleAfterMs / 3)),
  ) {
    this.#redis = redis;
  }

  async start(): Promise<void> {
    await this.probe();
    this.timer = setInterval(() => void this.probe(), this.probeEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** ms since the last confirmed round trip began; Infinity when never */
  ageMs(now = Date.now()): number {
    return this.lastOkAt === 0 ? Infinity : now - this.lastOkAt;
  }

  isCurrent(now = Date.now()): boolean {
    return this.#redis.status === 'ready' && this.ageMs(now) <= this.staleAfterMs;
  }

  private async probe(): Promise<void> {
    // a probe that hangs (blackholed link) must not stack up more behind it
    if (this.probing) return;
    this.probing = true;
    const sentAt = Date.now();
    const startedAt = performance.now();
    try {
      await this.#redis.ping();
      this.lastRoundTripMs = performance.now() - startedAt;
      this.lastOkAt = Math.max(this.lastOkAt, sentAt);
    } catch {
      // unreachable: lastOkAt ages until isCurrent says so
    } finally {
      this.probing = false;
    }
  }
}
