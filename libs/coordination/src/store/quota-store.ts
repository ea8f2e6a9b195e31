import type Redis from 'ioredis';
import type { Keys } from '../keys';
import type { ScriptRunner } from './script-runner';

/** Who a quota entry is for: a principal, a client id, or both (Kafka's user / client-id entities). */
export interface StoredQuotaEntity {
  principal?: string;
  clientId?: string;
}

/** Rates in units per second; an absent rate is no override. */
export type StoredQuotaValues = Partial<Record<(typeof RATE_NAMES)[number], number>>;

export interface StoredQuotaEntry {
  entity: StoredQuotaEntity;
  values: StoredQuotaValues;
}

/**
 * Client quota overrides, one hash field per entity, shared by every broker of the cluster
 * (each enforces them on its own connections, as Kafka's brokers do).
 */
export class QuotaStore {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #scripts: ScriptRunner;

  constructor(redis: Redis, keys: Keys, scripts: ScriptRunner) {
    this.#redis = redis;
    this.#keys = keys;
    this.#scripts = scripts;
  }

  /** Every stored entry. */
  async list(): Promise<StoredQuotaEntry[]> {
    const all = await this.#redis.hgetall(this.#keys.clientQuotas);
    const out: StoredQuotaEntry[] = [];
    for (const [field, value] of Object.entries(all)) {
      const entity = parseObject(field) as StoredQuotaEntity | null;
      const values = ratesOf(parseObject(value));
      if (entity && values) out.push({ entity, values });
    }
    return out;
  }

  /** Sets (number) or removes (null) rates of one entity, atomically; returns what the entity holds after. */
  async alter(entity: StoredQuotaEntity, changes: Partial<Record<keyof StoredQuotaValues, number | null>>): Promise<StoredQuotaValues> {
    const result = await this.#scripts.run('alterClientQuota', [this.#keys.clientQuotas], [entityField(entity), JSON.stringify(changes)]);
    return (typeof result === 'string' ? ratesOf(parseObject(result)) : null) ?? {};
  }
}

/** The hash field of an entity: JSON with its keys in one order, so one entity is one field. */
export function entityField(entity: StoredQuotaEntity): string {
  return JSON.stringify({
    ...(entity.principal !== undefined ? { principal: entity.principal } : {}),
    ...(entity.clientId !== undefined ? { clientId: entity.clientId } : {}),
  });
}

const RATE_NAMES = ['producerByteRate', 'consumerByteRate', 'requestRate'] as const;

/** The known rates of a stored entry, in one order (Lua's cjson writes keys in any order). */
function ratesOf(raw: Record<string, unknown> | null): StoredQuotaValues | null {
  if (!raw) return null;
  const out: StoredQuotaValues = {};
  for (const k of RATE_NAMES) {
    const v = raw[k];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[k] = v;
  }
  return out;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    // a malformed entry counts as absent: the next more general quota (or the default) applies
    return null;
  }
}
