import type { z } from 'zod';
import { TributaryError, type ErrorName } from '../errors';

/**
 * Turns a zod schema into a request parser: the parsed request, or a TributaryError naming
 * the event and the path of the first bad field. `codeFor` picks a more specific code than
 * INVALID_REQUEST for some fields (e.g. INVALID_GROUP_ID).
 */
export function requestParser<T>(
  event: string,
  schema: z.ZodType<unknown>,
  codeFor?: (path: ReadonlyArray<string | number>) => ErrorName | undefined,
): (payload: unknown) => T {
  return (payload) => {
    const result = schema.safeParse(payload);
    if (result.success) return result.data as T;
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : '(payload)';
    throw TributaryError.of(codeFor?.(issue.path) ?? 'INVALID_REQUEST', `${event}: ${where}: ${issue.message}`);
  };
}
