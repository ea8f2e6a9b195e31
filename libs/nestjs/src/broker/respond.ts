import type { Logger } from '@nestjs/common';
import { ErrorCode, toErrorResponse } from '@tributary/protocol';

export type ErrorShape = { errorCode: number; errorMessage: string };

/**
 * Runs a gateway handler so that nothing a client sends can throw past it: any error becomes
 * an error code in the acknowledgement (built by `onError`), and only unexpected ones are
 * logged, with their stack.
 */
export async function respond<R>(logger: Logger, run: () => Promise<R> | R, onError: (e: ErrorShape) => R): Promise<R> {
  try {
    return await run();
  } catch (err) {
    const e = toErrorResponse(err);
    if (e.errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) logger.error(err instanceof Error ? err.stack : String(err));
    return onError(e);
  }
}
