import { z } from 'zod';
import { brokerSettings } from './broker-settings';
import { checkLimits, limitSettings, type BrokerLimits } from './limits-config';
import { checkSecurity, securitySettings, type SecurityConfig } from './security-settings';
import { SETTING_TABLES } from './setting-tables';
import type { ConfigOf, EnvOf, Setting, SettingTable } from './setting';

/**
 * A broker's settings, validated once at start. Each is declared once, in broker-settings.ts
 * or limits-config.ts, with the environment variable it comes from (see the README's
 * configuration table, generated from the same declarations).
 */
export type BrokerConfig = ConfigOf<typeof brokerSettings> & {
  /** request, fetch, partition and connection limits (see limits-config.ts) */
  limits: BrokerLimits;
  /** TLS and client quotas (see security-settings.ts) */
  security: SecurityConfig;
};

export type BrokerEnv = EnvOf<typeof brokerSettings> & EnvOf<typeof limitSettings> & EnvOf<typeof securitySettings>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const tables = SETTING_TABLES;
const byEnv = new Map<string, Setting>(tables.flatMap((t) => Object.values(t).map((s): [string, Setting] => [s.env, s])));
/** Every variable a broker reads, e.g. for a launcher that passes broker settings on. */
export const BROKER_SETTING_NAMES: readonly string[] = [...byEnv.keys()];

const envSchema = z.object(Object.fromEntries([...byEnv].map(([env, s]) => [env, s.schema])));

/** Reads the settings from an environment; a bad one throws ConfigError naming it. */
export function loadBrokerConfig(env: Record<string, string | undefined>): BrokerConfig {
  const known = Object.fromEntries([...byEnv.keys()].map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = envSchema.safeParse(known);
  if (!parsed.success) {
    const msgs = parsed.error.issues.map((i) => {
      const name = i.path.join('.');
      const value = byEnv.get(name)?.secret && env[name] !== undefined ? '<redacted>' : env[name];
      return `${name}${value === undefined ? ' (not set)' : `='${value}'`}: ${i.message}`;
    });
    throw new ConfigError(`invalid broker configuration: ${msgs.join('; ')}`);
  }
  const values: Record<string, unknown> = parsed.data;
  // Typed by the declarations: each field holds its own setting's schema output.
  const config = { ...fields(brokerSettings, values), limits: fields(limitSettings, values), security: fields(securitySettings, values) } as BrokerConfig;
  const crossField =
    checkLimits(config.limits, config.maxRequestBytes) ?? checkTimings(config, values.REPLICA_STALL_TIMEOUT_MS !== undefined) ?? checkSecurity(config.security);
  if (crossField) throw new ConfigError(`invalid broker configuration: ${crossField}`);
  return config;
}

/** A table's parsed values by field, with each unset fallback setting taking its source's value. */
function fields(table: SettingTable, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, s] of Object.entries(table)) {
    const value = values[s.env];
    out[field] = value === undefined && s.defaultFrom !== undefined ? out[s.defaultFrom] : value;
  }
  return out;
}

/** `stallTimeoutSet` false: the stall timeout follows the lease, and the node caps it at the lag time instead. */
function checkTimings(c: BrokerConfig, stallTimeoutSet: boolean): string | null {
  if (stallTimeoutSet && c.replicaStallTimeoutMs > c.replicaLagTimeMaxMs) {
    return `REPLICA_STALL_TIMEOUT_MS='${c.replicaStallTimeoutMs}': must not exceed REPLICA_LAG_TIME_MAX_MS (${c.replicaLagTimeMaxMs})`;
  }
  if (c.groupMinSessionTimeoutMs > c.groupMaxSessionTimeoutMs) {
    return `GROUP_MIN_SESSION_TIMEOUT_MS='${c.groupMinSessionTimeoutMs}': must not exceed GROUP_MAX_SESSION_TIMEOUT_MS (${c.groupMaxSessionTimeoutMs})`;
  }
  if (c.auth.token && c.tokenSecret === undefined && c.tokenPublicKeyPath === undefined) {
    return 'AUTH includes token: set TOKEN_SECRET or TOKEN_PUBLIC_KEY_PATH to verify tokens with';
  }
  return null;
}
