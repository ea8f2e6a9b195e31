import { Buffer } from 'buffer';
import { decodeValue, toMessage } from '../../transport/wire-format';
import { decodePayload, PayloadDecodeError } from './payload-decoder';
import { backoff, resolveRetryPolicy, withRetries } from './retry-policy';

describe('listener retry policy', () => {
  it('layers module and listener settings over the defaults, and refuses nonsense', () => {
    expect(resolveRetryPolicy({ retries: 5 }, { initialBackoffMs: 10, deadLetterTopic: undefined })).toEqual({
      retries: 5,
      initialBackoffMs: 10,
      maxBackoffMs: 5000,
    });
    expect(() => resolveRetryPolicy({ retries: -1 })).toThrow(RangeError);
    expect(() => resolveRetryPolicy({ retries: 1.5 })).toThrow(RangeError);
  });

  it('backs off exponentially up to the cap', () => {
    const policy = resolveRetryPolicy({ initialBackoffMs: 100, maxBackoffMs: 350 });
    expect([0, 1, 2, 3].map((a) => backoff(a, policy))).toEqual([100, 200, 350, 350]);
  });

  it('tries retries + 1 times, then reports the last error and the attempts', async () => {
    const seen: number[] = [];
    const outcome = await withRetries(
      resolveRetryPolicy({ retries: 2, initialBackoffMs: 1 }),
      async (attempt) => {
        seen.push(attempt);
        throw new Error(`no ${attempt}`);
      },
      () => undefined,
      () => false,
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(outcome).toMatchObject({ ok: false, attempts: 3, error: { message: 'no 3' } });
  });

  it('stops retrying once the listener is stopping, and keeps a non-Error rejection readable', async () => {
    const outcome = await withRetries(
      resolveRetryPolicy({ retries: 5, initialBackoffMs: 1 }),
      async () => {
        // what Nest's RPC exception filter emits: a plain object, not an Error
        const rpcError: unknown = { status: 'error', message: 'rpc' };
        throw rpcError;
      },
      () => undefined,
      () => true,
    );
    expect(outcome).toMatchObject({ ok: false, attempts: 1, error: { message: '{"status":"error","message":"rpc"}' } });
  });
});

describe('payload decoding', () => {
  const json = Buffer.from('{"a":1}');
  it('decodes JSON by default, text or raw on request, or with a function', () => {
    expect(decodePayload(json, 'json')).toEqual({ a: 1 });
    expect(decodePayload(json, 'string')).toBe('{"a":1}');
    expect(decodePayload(json, 'raw')).toBe(json);
    expect(decodePayload(json, (v) => v?.length)).toBe(7);
    expect(decodePayload(null, 'json')).toBeNull();
  });

  it('a value that is not JSON is a typed INVALID_RECORD error', () => {
    expect(() => decodePayload(Buffer.from('not json'), 'json')).toThrow(PayloadDecodeError);
    try {
      decodePayload(Buffer.from('{'), 'json');
    } catch (err) {
      expect(err).toMatchObject({ type: 'INVALID_RECORD' });
    }
  });
});

describe('transport wire format', () => {
  it('takes { key, value, headers } apart, and sends anything else whole as the value', () => {
    const record = toMessage({ key: 'k', value: { id: 1 }, headers: { h: 'v' } }, { extra: 'x' });
    expect(record.key).toBe('k');
    expect(decodeValue(record.value as Buffer)).toEqual({ id: 1 });
    expect(record.headers).toEqual({ h: 'v', extra: 'x' });
    const whole = toMessage({ id: 2, value: 3, other: true });
    expect(decodeValue(whole.value as Buffer)).toEqual({ id: 2, value: 3, other: true });
    expect(decodeValue(Buffer.from('plain text'))).toBe('plain text');
  });
});
