import type { QuotaStore } from '@tributary/coordination';
import { QUOTA_KEYS, type ClientQuotaEntry, type QuotaEntity, type QuotaKey, type QuotaValues } from '@tributary/protocol';
import { QUOTA_SAMPLE_MS, QUOTA_SAMPLES, RateSensor } from './rate-sensor';

/** How often a broker re-reads the quota overrides from Redis: a change reaches every broker within this. */
export const QUOTA_REFRESH_MS = 1000;

/** What a quota is measured in: produce request bytes, fetch response bytes, requests. */
export type QuotaKind = QuotaKey;

/** The store calls the manager needs (QuotaStore, or an in-memory one in specs). */
export type QuotaOverrides = Pick<QuotaStore, 'list' | 'alter'>;

export interface QuotaLogger {
  warn(message: string): void;
}

/**
 * Kafka's client quotas on one broker: a rate per (principal, client id) for produce bytes,
 * fetch bytes and requests; over it, the caller holds the answer back for the returned time
 * (and mutes the connection meanwhile) instead of refusing. Each rate resolves on its own to
 * the most specific override (principal + client id, principal, client id) or the default;
 * connections sharing a principal and client id share one sensor, as in Kafka.
 */
export class QuotaManager {
  private overrides = new Map<string, QuotaValues>();
  private readonly sensors = new Map<string, { sensor: RateSensor; lastAt: number }>();
  private timer: NodeJS.Timeout | null = null;
  private warned = false;

  constructor(
    private readonly defaults: QuotaValues,
    private readonly store: QuotaOverrides,
    private readonly logger: QuotaLogger,
  ) {}

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload(), QUOTA_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The rates that apply to a connection (absent: unlimited). */
  quotasFor(principal: string, clientId: string): QuotaValues {
    const out: QuotaValues = {};
    for (const key of QUOTA_KEYS) {
      const v = this.limit(key, principal, clientId);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }

  /** Records `value` units of `kind` for the connection's entity; returns the throttle time in ms (0: none). */
  record(kind: QuotaKind, principal: string, clientId: string, value: number, now = performance.now()): number {
    const quota = this.limit(kind, principal, clientId);
    // With no quota there is nothing to measure against; sensors are made only for limited entities.
    if (quota === undefined) return 0;
    const id = `${kind}\u0000${principal}\u0000${clientId}`;
    let entry = this.sensors.get(id);
    if (!entry) {
      entry = { sensor: new RateSensor(), lastAt: now };
      this.sensors.set(id, entry);
    }
    entry.lastAt = now;
    return entry.sensor.record(value, quota, now);
  }

  async alter(entries: ReadonlyArray<{ entity: QuotaEntity; values: Partial<Record<QuotaKey, number | null>> }>): Promise<void> {
    for (const e of entries) await this.store.alter(e.entity, e.values);
    await this.reload();
  }

  async describe(entity?: QuotaEntity): Promise<ClientQuotaEntry[]> {
    const all = await this.store.list();
    if (!entity) return all;
    return all.filter((e) => e.entity.principal === entity.principal && e.entity.clientId === entity.clientId);
  }

  private limit(kind: QuotaKind, principal: string, clientId: string): number | undefined {
    return (
      this.overrides.get(entityKey(principal, clientId))?.[kind] ??
      this.overrides.get(entityKey(principal, undefined))?.[kind] ??
      this.overrides.get(entityKey(undefined, clientId))?.[kind] ??
      this.defaults[kind]
    );
  }

  private async reload(): Promise<void> {
    // A sensor whose window has emptied measures nothing: drop it, so client ids that came and went cost nothing.
    const now = performance.now();
    for (const [id, e] of this.sensors) if (now - e.lastAt > QUOTA_SAMPLES * QUOTA_SAMPLE_MS) this.sensors.delete(id);
    try {
      const entries = await this.store.list();
      this.overrides = new Map(entries.map((e) => [entityKey(e.entity.principal, e.entity.clientId), e.values]));
      this.warned = false;
    } catch (err) {
      // Redis away: keep enforcing the last overrides read, and say so once.
      if (!this.warned) this.logger.warn(`client quotas could not be re-read from Redis (the last ones read still apply): ${String(err)}`);
      this.warned = true;
    }
  }
}

function entityKey(principal: string | undefined, clientId: string | undefined): string {
  return `${principal ?? ''}\u0000${clientId ?? ''}`;
}
