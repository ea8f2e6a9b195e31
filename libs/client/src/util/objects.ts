/** Drops keys whose value is undefined, so `{ ...defaults, ...definedOnly(options) }` keeps defaults for them. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
