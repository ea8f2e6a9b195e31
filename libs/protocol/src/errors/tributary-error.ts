import { ErrorCode, errorInfo, type ErrorName } from './error-codes';

/**
 * The one error class every layer throws: it carries the wire code, so a broker can answer
 * with it and a client can decide whether to retry without parsing messages.
 */
export class TributaryError extends Error {
  readonly code: number;
  readonly type: ErrorName;
  readonly retriable: boolean;

  constructor(code: number, message?: string) {
    const info = errorInfo(code);
    super(message ?? info.description);
    this.name = 'TributaryError';
    this.code = code;
    this.type = info.name;
    this.retriable = info.retriable;
  }

  static of(name: ErrorName, message?: string): TributaryError {
    return new TributaryError(ErrorCode[name], message);
  }
}

/** Turns anything thrown into a wire code and message; unknown errors become UNKNOWN_SERVER_ERROR. */
export function toErrorResponse(err: unknown): { errorCode: number; errorMessage: string } {
  if (err instanceof TributaryError) return { errorCode: err.code, errorMessage: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: message };
}
