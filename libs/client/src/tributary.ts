import { Admin } from './admin/admin';
import { validateAuth, type ClientAuth } from './auth/client-auth';
import { Cluster } from './cluster/cluster';
import { validateConfig, validateRetry } from './config/validate-config';
import { Consumer } from './consumer/consumer';
import type { ConsumerOptions } from './consumer/types';
import { createLogger, LogLevel, type Logger, type LogSink } from './logger/logger';
import { Producer } from './producer/producer';
import type { ProducerOptions } from './producer/types';
import type { TlsOptions } from './connection/tls-options';
import { resolveRetry, type ResolvedRetryOptions, type RetryOptions } from './retry/retrier';

export interface TributaryConfig {
  /**
   * bootstrap brokers, e.g. ['localhost:9092', 'ws://b2:9092']: `host:port` means ws://; tried in
   * order until one answers, so any one reachable is enough
   */
  brokers: string[];
  clientId?: string;
  /** how long one request may wait for its answer before it fails with RequestTimeoutError; default 30000 */
  requestTimeoutMs?: number;
  /** how long opening a connection to one broker may take (bounds a blackholed address); default 10000 */
  connectionTimeoutMs?: number;
  /** metadata older than this is refreshed in the background; default 300000 */
  metadataMaxAgeMs?: number;
  retry?: RetryOptions;
  /** default LogLevel.WARN */
  logLevel?: LogLevel;
  /** where log entries go; default console */
  logSink?: LogSink;
  /** TLS for wss:// brokers in Node: `{ ca, cert, key, rejectUnauthorized }` as PEM text */
  tls?: TlsOptions;
  /**
   * credentials for brokers that run with AUTH on: SCRAM (`{ mechanism: 'scram-sha-256' |
   * 'scram-sha-512', username, password }`, the password never sent) or a bearer token
   * (`{ mechanism: 'token', token }`). Wrong credentials fail with AuthenticationError
   * (SASL_AUTHENTICATION_FAILED), never retried.
   */
  auth?: ClientAuth;
}

export interface AdminOptions {
  retry?: RetryOptions;
}

/**
 * The entry point, like KafkaJS's Kafka class. Each producer, consumer and admin it creates
 * has its own connections and metadata, so one disconnecting never affects another.
 */
export class Tributary {
  private readonly config: Required<Omit<TributaryConfig, 'retry' | 'logSink' | 'tls' | 'auth'>> & {
    retry: ResolvedRetryOptions;
    tls?: TlsOptions;
    auth?: ClientAuth;
  };
  private readonly rootLogger: Logger;
  /** every producer, consumer and admin made here, so disconnect() can close what a caller forgot */
  private readonly children = new Set<{ disconnect(): Promise<void> }>();

  constructor(config: TributaryConfig) {
    const brokers = validateConfig(config);
    validateAuth(config.auth);
    this.config = {
      brokers,
      clientId: config.clientId ?? 'tributary',
      requestTimeoutMs: config.requestTimeoutMs ?? 30_000,
      connectionTimeoutMs: config.connectionTimeoutMs ?? 10_000,
      metadataMaxAgeMs: config.metadataMaxAgeMs ?? 300_000,
      logLevel: config.logLevel ?? LogLevel.WARN,
      retry: resolveRetry(config.retry),
      tls: config.tls,
      auth: config.auth,
    };
    this.rootLogger = createLogger(this.config.logLevel, config.logSink);
  }

  producer(options: ProducerOptions = {}): Producer {
    validateRetry('producer retry', options.retry);
    const retry = resolveRetry(options.retry, this.config.retry);
    return this.track(new Producer({ cluster: this.cluster(retry), requestTimeoutMs: this.config.requestTimeoutMs, retry, logger: this.rootLogger }, options));
  }

  consumer(options: ConsumerOptions = {}): Consumer {
    validateRetry('consumer retry', options.retry);
    const retry = resolveRetry(options.retry, this.config.retry);
    return this.track(new Consumer({ cluster: this.cluster(retry), requestTimeoutMs: this.config.requestTimeoutMs, retry, logger: this.rootLogger }, options));
  }

  admin(options: AdminOptions = {}): Admin {
    validateRetry('admin retry', options.retry);
    return this.track(new Admin({ cluster: this.cluster(resolveRetry(options.retry, this.config.retry)), logger: this.rootLogger }));
  }

  /**
   * Disconnects every producer (flushing it first), consumer and admin this instance made, so
   * no connection or metadata timer outlives the caller. Disconnecting one twice is harmless.
   * Rejects with the first failure once all have been tried.
   */
  async disconnect(): Promise<void> {
    const results = await Promise.allSettled([...this.children].map((c) => c.disconnect()));
    this.children.clear();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  logger(): Logger {
    return this.rootLogger;
  }

  private track<T extends { disconnect(): Promise<void> }>(child: T): T {
    this.children.add(child);
    return child;
  }

  private cluster(retry: ResolvedRetryOptions): Cluster {
    return new Cluster({
      brokers: this.config.brokers,
      clientId: this.config.clientId,
      requestTimeoutMs: this.config.requestTimeoutMs,
      connectionTimeoutMs: this.config.connectionTimeoutMs,
      metadataMaxAgeMs: this.config.metadataMaxAgeMs,
      retry,
      logger: this.rootLogger,
      tls: this.config.tls,
      auth: this.config.auth,
    });
  }
}
