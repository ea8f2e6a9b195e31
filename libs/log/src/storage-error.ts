import { TributaryError } from '@tributary/protocol';

/**
 * File-system failures become KAFKA_STORAGE_ERROR, so the broker answers with a wire code
 * (and clients retry elsewhere) instead of an opaque UNKNOWN_SERVER_ERROR; errors that
 * already carry a code pass through.
 */
export function toStorageError(err: unknown, context: string): TributaryError {
  if (err instanceof TributaryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return TributaryError.of('KAFKA_STORAGE_ERROR', `${context}: ${message}`);
}
