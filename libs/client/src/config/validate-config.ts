import { normalizeBrokerList } from '../connection/broker-address';
import { validateTls } from '../connection/tls-options';
import { InvalidConfigError } from '../errors';
import { LogLevel } from '../logger/logger';
import type { RetryOptions } from '../retry/retrier';
import { MAX_TIMER_MS } from '../util/timers';

/** The options Tributary's constructor checks; the full type lives in tributary.ts. */
export interface CheckedConfig {
  brokers: unknown;
  clientId?: unknown;
  requestTimeoutMs?: unknown;
  connectionTimeoutMs?: unknown;
  metadataMaxAgeMs?: unknown;
  retry?: unknown;
  logLevel?: unknown;
  logSink?: unknown;
  tls?: unknown;
}

/** An integer option within bounds, or InvalidConfigError naming it; undefined passes (a default applies). */
export function checkInteger(option: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConfigError(option, `${option} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
}

function checkNumber(option: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidConfigError(option, `${option} must be a number from ${min} to ${max}, got ${describe(value)}`);
  }
}

/**
 * Checks the SDK's options once, at construction, and returns the bootstrap list normalised
 * (see normalizeBrokerAddress). Every message names the option at fault.
 */
export function validateConfig(config: CheckedConfig): string[] {
  if (typeof config !== 'object' || config === null) throw new InvalidConfigError('config', 'the client needs a config object with brokers');
  const { brokers } = config;
  if (!Array.isArray(brokers) || brokers.length === 0) {
    throw new InvalidConfigError('brokers', `brokers must be a non-empty list of broker addresses (host:port or ws://host:port), got ${describe(brokers)}`);
  }
  brokers.forEach((b: unknown, i) => {
    if (typeof b !== 'string') throw new InvalidConfigError('brokers', `brokers[${i}] must be a string, got ${describe(b)}`);
  });
  const normalized = normalizeBrokerList(brokers as string[]);
  if (config.clientId !== undefined && (typeof config.clientId !== 'string' || config.clientId.length === 0 || config.clientId.length > 255)) {
    throw new InvalidConfigError('clientId', `clientId must be a string of 1 to 255 characters, got ${describe(config.clientId)}`);
  }
  checkInteger('requestTimeoutMs', config.requestTimeoutMs, 1, MAX_TIMER_MS);
  checkInteger('connectionTimeoutMs', config.connectionTimeoutMs, 1, MAX_TIMER_MS);
  checkInteger('metadataMaxAgeMs', config.metadataMaxAgeMs, 1, MAX_TIMER_MS);
  const levels: unknown[] = Object.values(LogLevel);
  if (config.logLevel !== undefined && !levels.includes(config.logLevel)) {
    throw new InvalidConfigError('logLevel', `logLevel must be one of ${levels.join(', ')} (LogLevel.*), got ${describe(config.logLevel)}`);
  }
  if (config.logSink !== undefined && typeof config.logSink !== 'function') {
    throw new InvalidConfigError('logSink', `logSink must be a function, got ${describe(config.logSink)}`);
  }
  validateRetry('retry', config.retry);
  validateTls(config.tls);
  return normalized;
}

/** Checks retry options (the client's, or a producer's/consumer's/admin's own). */
export function validateRetry(option: string, retry: unknown): void {
  if (retry === undefined) return;
  if (typeof retry !== 'object' || retry === null) throw new InvalidConfigError(option, `${option} must be an object, got ${describe(retry)}`);
  const r = retry as RetryOptions;
  checkInteger(`${option}.retries`, r.retries, 0, 1_000_000);
  checkInteger(`${option}.initialRetryTime`, r.initialRetryTime, 0, MAX_TIMER_MS);
  checkInteger(`${option}.maxRetryTime`, r.maxRetryTime, 0, MAX_TIMER_MS);
  checkNumber(`${option}.factor`, r.factor, 0, 1);
  checkNumber(`${option}.multiplier`, r.multiplier, 1, 1000);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.slice(0, 100)}'`;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  // a function's String() is its source text, which a config error should not echo
  return value === undefined ? 'undefined' : 'a function';
}
