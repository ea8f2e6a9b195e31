import type { ClientAuth } from '../auth/client-auth';
import { ErrorCode, Events, isValidTopicName, TributaryError, type BrokerInfo, type MetadataRequest, type MetadataResponse } from '@tributary/protocol';
import { normalizeBrokerList } from '../connection/broker-address';
import { BrokerConnection } from '../connection/broker-connection';
import type { TlsOptions } from '../connection/tls-options';
import { asTributaryError, ClientStateError, ConnectionError, TopicError } from '../errors';
import type { Logger } from '../logger/logger';
import { retry, type ResolvedRetryOptions } from '../retry/retrier';
import { unrefTimer } from '../util/timers';
import { MetadataCache } from './metadata-cache';

export interface ClusterOptions {
  /** bootstrap URLs: any one reachable broker is enough to learn the rest */
  brokers: readonly string[];
  clientId: string;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  metadataMaxAgeMs: number;
  retry: ResolvedRetryOptions;
  logger: Logger;
  /** for wss:// brokers (Node) */
  tls?: TlsOptions;
  auth?: ClientAuth;
}

interface Refresh {
  promise: Promise<void>;
  /** null: all topics */
  topics: ReadonlySet<string> | null;
}

/**
 * The client's view of the cluster: connections by broker URL, cached metadata, and the
 * topics this client cares about (a metadata refresh asks only for those, as Kafka's clients
 * do). Each Producer/Consumer/Admin owns one, so disconnecting one never cuts another.
 */
export class Cluster {
  readonly metadata = new MetadataCache();
  readonly retryOptions: ResolvedRetryOptions;
  private readonly connections = new Map<string, BrokerConnection>();
  private readonly targetTopics = new Set<string>();
  private refreshing: Refresh | null = null;
  private candidateTurn = 0;
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private readonly logger: Logger;
  private closed = false;

  private readonly options: ClusterOptions;

  constructor(options: ClusterOptions) {
    if (options.brokers.length === 0) throw TributaryError.of('INVALID_CONFIG', 'at least one bootstrap broker URL is needed');
    // Tributary's constructor normalised them already; a Cluster built directly gets the same rules
    this.options = { ...options, brokers: normalizeBrokerList(options.brokers) };
    this.retryOptions = options.retry;
    this.logger = options.logger.namespace('cluster');
  }

  get isConnected(): boolean {
    return this.metadata.isLoaded && !this.closed;
  }

  /** Learns the cluster from the bootstrap brokers (retrying), then keeps metadata fresh. */
  async connect(): Promise<void> {
    // a disconnected client may connect again, like KafkaJS's
    this.closed = false;
    if (!this.metadata.isLoaded) await retry(() => this.refreshMetadata(), this.retryOptions);
    if (!this.refreshTimer) {
      this.refreshTimer = setInterval(
        () => {
          if (Date.now() - this.metadata.updatedAt < this.options.metadataMaxAgeMs) return;
          this.refreshMetadata().catch((err: unknown) => this.logger.warn('periodic metadata refresh failed', { error: String(err) }));
        },
        Math.max(1000, Math.floor(this.options.metadataMaxAgeMs / 2)),
      );
      unrefTimer(this.refreshTimer);
    }
  }

  /**
   * Closes every connection, each once the broker confirmed the ack-less (acks=0) sends made on
   * it (bounded by requestTimeoutMs). Rejects with the first connection whose sends could not
   * be confirmed; every connection is closed either way.
   */
  async disconnect(): Promise<void> {
    this.closed = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    const connections = [...this.connections.values()];
    this.connections.clear();
    const failures = await Promise.all(
      connections.map((c) =>
        c.flushAndClose().then(
          () => null,
          (err: unknown) => asTributaryError(err),
        ),
      ),
    );
    const failed = failures.find((f): f is TributaryError => f !== null);
    if (failed) throw failed;
  }

  /**
   * Makes sure metadata for `topics` is loaded: refreshes when any is not cached, retries while
   * the cluster answers retriably (e.g. LEADER_NOT_AVAILABLE right after creation), and throws
   * TopicError(UNKNOWN_TOPIC_OR_PARTITION / INVALID_TOPIC_EXCEPTION) when it says no.
   */
  async addTargetTopics(topics: readonly string[]): Promise<void> {
    for (const t of topics) {
      if (!isValidTopicName(t)) throw new TopicError(ErrorCode.INVALID_TOPIC_EXCEPTION, `topic name '${t.slice(0, 300)}' is invalid`, t);
    }
    const added = topics.filter((t) => !this.targetTopics.has(t));
    for (const t of added) this.targetTopics.add(t);
    if (topics.every((t) => this.metadata.topic(t))) return;
    const loadAll = async (): Promise<void> => {
      await this.refreshMetadata();
      for (const t of topics) {
        if (this.metadata.topic(t)) continue;
        const why = this.metadata.missingReason(t) ?? { errorCode: ErrorCode.LEADER_NOT_AVAILABLE };
        throw new TopicError(why.errorCode, why.errorMessage, t);
      }
    };
    try {
      // the cluster answered "no such topic": asking again will not change that (Kafka's producer gives up too)
      await retry(loadAll, this.retryOptions, { shouldRetry: (e) => e.retriable && e.code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    } catch (err) {
      // a topic the cluster rejected must not be asked about on every later refresh
      for (const t of added) if (!this.metadata.topic(t)) this.targetTopics.delete(t);
      throw err;
    }
  }

  /** Re-reads metadata for the target topics; concurrent callers share one request. */
  refreshMetadata(): Promise<void> {
    const current = this.refreshing;
    if (current) {
      if (current.topics === null || [...this.targetTopics].every((t) => current.topics?.has(t))) return current.promise;
      return current.promise.catch(() => undefined).then(() => this.refreshMetadata());
    }
    const topics = new Set(this.targetTopics);
    const promise = this.fetchMetadata([...topics])
      .then(() => undefined)
      .finally(() => {
        if (this.refreshing?.promise === promise) this.refreshing = null;
      });
    this.refreshing = { promise, topics };
    return promise;
  }

  /** Asks any reachable broker for metadata (null: every topic) and updates the cache. */
  async fetchMetadata(topics: readonly string[] | null): Promise<MetadataResponse> {
    if (this.closed) throw new ClientStateError('this client was disconnected; create a new one');
    const request: MetadataRequest = { topics: topics === null ? null : [...topics] };
    let lastError: TributaryError | undefined;
    for (const url of this.metadataCandidates()) {
      try {
        const response = await this.connectionForUrl(url).request<MetadataRequest, MetadataResponse>(Events.metadata, request);
        this.metadata.apply(response, topics, Date.now());
        this.dropStaleConnections();
        return response;
      } catch (err) {
        lastError = asTributaryError(err);
        // a broker that answers with a non-retriable error would answer every broker's way
        if (!lastError.retriable) throw lastError;
        this.logger.debug('metadata request failed, trying the next broker', { url, error: lastError.message });
      }
    }
    throw lastError ?? new ConnectionError(this.options.brokers.join(','), 'no broker to ask for metadata');
  }

  /**
   * The first bootstrap asks the bootstrap brokers in the order the user gave. Later refreshes
   * go round-robin over the brokers metadata named (then the bootstrap list), so a broker that
   * hangs rather than refuses costs one request timeout once, not on every refresh, and the
   * load of refreshes spreads over the cluster.
   */
  private metadataCandidates(): string[] {
    const known = this.metadata.brokers().map((b) => b.url);
    return [...new Set([...rotate(known, this.candidateTurn++), ...this.options.brokers])];
  }

  /** Brokers that left the cluster should not keep sockets open; bootstrap URLs stay, they are cheap to reuse. */
  private dropStaleConnections(): void {
    const keep = new Set([...this.metadata.brokers().map((b) => b.url), ...this.options.brokers]);
    for (const [url, c] of this.connections) {
      if (keep.has(url)) continue;
      c.close();
      this.connections.delete(url);
    }
  }

  brokers(): BrokerInfo[] {
    return this.metadata.brokers();
  }

  leaderOf(topic: string, partition: number): number | undefined {
    return this.metadata.leaderOf(topic, partition);
  }

  partitionCount(topic: string): number | undefined {
    return this.metadata.partitionCount(topic);
  }

  /** The connection to broker `brokerId`; BROKER_NOT_AVAILABLE (retriable) when metadata does not know it. */
  connectionFor(brokerId: number): BrokerConnection {
    const broker = this.metadata.broker(brokerId);
    if (!broker) throw TributaryError.of('BROKER_NOT_AVAILABLE', `broker ${brokerId} is not in the cluster metadata`);
    return this.connectionForUrl(broker.url);
  }

  /** The leader's connection; LEADER_NOT_AVAILABLE (retriable) when the partition has none right now. */
  leaderConnection(topic: string, partition: number): BrokerConnection {
    const leader = this.leaderOf(topic, partition);
    if (leader === undefined) {
      if (!this.metadata.partition(topic, partition)) throw new TopicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, undefined, topic, partition);
      throw new TopicError(ErrorCode.LEADER_NOT_AVAILABLE, undefined, topic, partition);
    }
    return this.connectionFor(leader);
  }

  /**
   * For requests any broker answers (initProducerId): the `turn`-th connection that is open now
   * (a broker that answered lately), else the `turn`-th known broker's.
   */
  anyBrokerConnection(turn: number): BrokerConnection {
    const open = [...this.connections.values()].filter((c) => c.isConnected);
    if (open.length > 0) return open[turn % open.length];
    const brokers = this.metadata.brokers();
    if (brokers.length > 0) return this.connectionFor(brokers[turn % brokers.length].id);
    return this.controllerConnection();
  }

  /** The controller's connection, or any broker's when metadata names no controller. */
  controllerConnection(): BrokerConnection {
    const id = this.metadata.controllerId;
    if (id >= 0 && this.metadata.broker(id)) return this.connectionFor(id);
    const [first] = this.metadataCandidates();
    return this.connectionForUrl(first);
  }

  private connectionForUrl(url: string): BrokerConnection {
    if (this.closed) throw new ClientStateError('this client was disconnected; create a new one');
    let c = this.connections.get(url);
    if (!c || c.isClosed) {
      c = new BrokerConnection({
        url,
        clientId: this.options.clientId,
        connectionTimeoutMs: this.options.connectionTimeoutMs,
        requestTimeoutMs: this.options.requestTimeoutMs,
        logger: this.options.logger.namespace('connection'),
        tls: this.options.tls,
        auth: this.options.auth,
      });
      this.connections.set(url, c);
    }
    return c;
  }

  /** Groups items by their partition's leader; items without a leader are returned apart. */
  groupByLeader<T extends { topic: string; partition: number }>(items: readonly T[]): { byBroker: Map<number, T[]>; leaderless: T[] } {
    const byBroker = new Map<number, T[]>();
    const leaderless: T[] = [];
    for (const item of items) {
      const leader = this.leaderOf(item.topic, item.partition);
      if (leader === undefined) {
        leaderless.push(item);
        continue;
      }
      const list = byBroker.get(leader) ?? [];
      list.push(item);
      byBroker.set(leader, list);
    }
    return { byBroker, leaderless };
  }
}

function rotate<T>(items: readonly T[], turn: number): T[] {
  if (items.length === 0) return [];
  const k = turn % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
