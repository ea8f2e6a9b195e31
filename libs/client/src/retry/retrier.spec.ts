import { ErrorCode, TributaryError } from '@tributary/protocol';
import { RetriesExhaustedError } from '../errors';
import { backoffMs, DEFAULT_RETRY, resolveRetry, retry } from './retrier';

const fast = resolveRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 });

describe('backoffMs', () => {
  const noJitter = resolveRetry({ factor: 0, initialRetryTime: 100, multiplier: 2, maxRetryTime: 1000 });

  it('grows exponentially from initialRetryTime and stops at maxRetryTime', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffMs(n, noJitter))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitters within ±factor of the base', () => {
    expect(backoffMs(0, DEFAULT_RETRY, () => 0)).toBe(80);
    expect(backoffMs(0, DEFAULT_RETRY, () => 1)).toBe(120);
    expect(backoffMs(2, DEFAULT_RETRY, () => 0.5)).toBe(400);
  });
});

describe('retry', () => {
  it('retries retriable errors until the call succeeds', async () => {
    let calls = 0;
    const onRetry = jest.fn();
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw TributaryError.of('NOT_LEADER_OR_FOLLOWER');
        return 'ok';
      },
      fast,
      { onRetry },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(onRetry).toHaveBeenCalledTimes(2);
  });

  it('rethrows a non-retriable error at once', async () => {
    let calls = 0;
    const err = TributaryError.of('TOPIC_ALREADY_EXISTS');
    await expect(
      retry(async () => {
        calls++;
        throw err;
      }, fast),
    ).rejects.toBe(err);
    expect(calls).toBe(1);
  });

  it('gives up after `retries` retries with the last error as cause, no longer retriable', async () => {
    let calls = 0;
    const failure = retry(async () => {
      calls++;
      throw TributaryError.of('LEADER_NOT_AVAILABLE', `attempt ${calls}`);
    }, fast);
    await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
    const err = (await failure.catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(calls).toBe(4);
    expect(err.code).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
    expect(err.retriable).toBe(false);
    expect(err.cause.message).toBe('attempt 4');
    expect(err).toBeInstanceOf(TributaryError);
  });
});
