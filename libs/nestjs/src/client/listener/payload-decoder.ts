import type { Buffer } from 'buffer';
import { ErrorCode, TributaryError } from '@tributary/client';

/**
 * How a listener turns a record's value into the handler's payload: 'json' (default; a null
 * value stays null), 'string' (UTF-8), 'raw' (the Buffer as read), or a function of the value.
 */
export type PayloadDecoder = 'json' | 'string' | 'raw' | ((value: Buffer | null) => unknown);

/** A record whose value the decoder refused: it goes through the retry policy like a handler error. */
export class PayloadDecodeError extends TributaryError {
  constructor(message: string) {
    super(ErrorCode.INVALID_RECORD, message);
    this.name = 'PayloadDecodeError';
  }
}

export function decodePayload(value: Buffer | null, decoder: PayloadDecoder): unknown {
  if (typeof decoder === 'function') return decoder(value);
  switch (decoder) {
    case 'raw':
      return value;
    case 'string':
      return value === null ? null : value.toString('utf8');
    case 'json':
      if (value === null) return null;
      try {
        return JSON.parse(value.toString('utf8')) as unknown;
      } catch (err) {
        throw new PayloadDecodeError(`record value is not JSON: ${(err as Error).message}`);
      }
  }
}
