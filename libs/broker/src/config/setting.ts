import { z } from 'zod';

/**
 * One broker setting, declared once: the environment variable it is read from, its zod
 * schema (bounds and default), and the line the README's configuration table shows. The
 * config field it fills is the key it is declared under (see broker-settings.ts).
 *
 * `Fallback` is true for a setting whose unset value is another setting's: its field is then
 * never undefined in the loaded config, though its schema lets the variable be unset.
 */
export interface Setting<S extends z.ZodTypeAny = z.ZodTypeAny, Fallback extends boolean = boolean, Env extends string = string> {
  readonly env: Env;
  readonly schema: S;
  /** the README's "meaning" column */
  readonly doc: string;
  /** the config field whose value this one takes when unset; declared before it */
  readonly defaultFrom?: string;
  /** the README's "default" column where the schema's default alone would not say it */
  readonly shownDefault?: string;
  /** never echoed: an error message shows `<redacted>` instead of the value */
  readonly secret?: boolean;
  /** type-level only: whether `defaultFrom` fills the field */
  readonly fallback?: Fallback;
}

interface SettingExtras {
  shownDefault?: string;
  secret?: boolean;
}

export function setting<S extends z.ZodTypeAny, const E extends string>(env: E, schema: S, doc: string, extras: SettingExtras = {}): Setting<S, false, E> {
  return { env, schema, doc, ...extras };
}

/** A setting that, when unset, takes the value of the config field `defaultFrom`. */
export function settingDefaultingTo<S extends z.ZodTypeAny, const E extends string>(
  env: E,
  schema: S,
  defaultFrom: string,
  doc: string,
  extras: SettingExtras = {},
): Setting<S, true, E> {
  return { env, schema, doc, defaultFrom, ...extras };
}

/** A bounded integer with a default: most settings are one. */
export const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

export type SettingTable = Readonly<Record<string, Setting>>;

type SettingValue<T> = T extends Setting<infer S, infer F, string> ? (F extends true ? NonNullable<z.output<S>> : z.output<S>) : never;
type Values<T extends SettingTable> = { [K in keyof T]: SettingValue<T[K]> };
type OptionalKeys<V> = { [K in keyof V]: undefined extends V[K] ? K : never }[keyof V];
type Flatten<T> = { [K in keyof T]: T[K] };

/** The loaded settings of a table, by field; a setting that may stay unset is an optional field. */
export type ConfigOf<T extends SettingTable> = Flatten<
  { [K in Exclude<keyof T, OptionalKeys<Values<T>>>]: Values<T>[K] } & { [K in OptionalKeys<Values<T>>]?: Values<T>[K] }
>;

/** The environment a table reads: each variable a string, or unset. */
export type EnvOf<T extends SettingTable> = { [K in keyof T as T[K]['env']]?: string };

/** The schema's value when the variable is unset: `undefined` for a required setting. */
export function defaultOf(s: Setting): { required: true } | { required: false; value: unknown } {
  const parsed = s.schema.safeParse(undefined);
  return parsed.success ? { required: false, value: parsed.data } : { required: true };
}
