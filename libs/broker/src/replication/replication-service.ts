import type { ReplicationStreamReader, ReplicationStreamWriter, StreamCursor } from '@tributary/coordination';
import { Events, type ReplicaProgressReport, type ReplicaProgressRequest, type ResponseBase } from '@tributary/protocol';
import type { FollowerAck } from '../partition/partition-context';
import type { ReplicaManager } from '../partition/replica-manager';
import { reasonOf, silentLogger, type BrokerLogger } from '../logging/broker-logger';

export interface ReplicationServiceOptions {
  brokerId: number;
  tickMs: number;
  /** send log-end reports over the peer WebSocket (REPLICA_ACKS_TRANSPORT=websocket); else the Redis ack stream only */
  acksOverPeerLinks?: boolean;
  logger?: BrokerLogger;
}

/** How follower reports reach their leaders over the peer WebSocket (BrokerLinks, in the broker). */
export interface ProgressLinks {
  /** the URL of a live broker, undefined when it is not live */
  brokerUrl(id: number): string | undefined;
  /** sends on the link to `url` only if it is open now; null when it is not (the report goes through Redis instead) */
  requestIfConnected<Res extends ResponseBase>(url: string, event: string, payload: unknown): Promise<Res> | null;
}

const BLOCK_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The broker's replication loops: one blocking read over the streams of every partition it
 * follows, one blocking read of the acks its followers send it as a leader through Redis, a
 * batched sender of its own acks, and the tick that renews leases, elects and maintains the ISR.
 *
 * A follower's acks go to each leader over the peer WebSocket (one `replicaProgress` request per
 * leader per event-loop turn): one hop instead of two through Redis (an XADD, then the leader's
 * blocking XREAD), which is the acks=all latency. The Redis ack stream stays as the fallback
 * while the link to a leader is not open or a send fails, so replication never depends on peers
 * reaching each other over WebSocket.
 */
export class ReplicationService {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private pendingAcks: FollowerAck[] = [];
  private flushScheduled = false;
  private readonly loops: Promise<void>[] = [];
  /** loops whose reads are failing now: logged when a run of failures starts and when it ends */
  private readonly failing = new Set<string>();

  constructor(
    private readonly options: ReplicationServiceOptions,
    private readonly streams: ReplicationStreamWriter,
    private readonly replicas: ReplicaManager,
    /** blocking readers, each on a connection of its own: a blocked read holds its connection */
    private readonly streamReader: ReplicationStreamReader,
    private readonly ackReader: ReplicationStreamReader,
    private readonly links: ProgressLinks,
  ) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'replication' });
  }

  private readonly logger: BrokerLogger;

  start(): void {
    this.running = true;
    this.loops.push(this.readStreams(), this.readAcks());
    this.timer = setInterval(() => {
      for (const actor of this.replicas.all()) actor.tick();
    }, this.options.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.streamReader.close();
    this.ackReader.close();
    await Promise.allSettled(this.loops);
  }

  /** Followers queue their log end here; all queued in one turn go out together, one request per leader. */
  reportAck(ack: FollowerAck): void {
    this.pendingAcks.push(ack);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const acks = this.pendingAcks;
      this.pendingAcks = [];
      this.flushAcks(acks);
    });
  }

  /**
   * A leader applies its followers' reports: `replicaId` and `brokerEpoch` are the ones the
   * sender's connection proved, never fields of the request.
   */
  applyProgress(replicaId: number, brokerEpoch: number, reports: readonly ReplicaProgressReport[]): void {
    for (const r of reports) this.replicas.get(r.topic, r.partition)?.onReplicaProgress(replicaId, r.logEndOffset, r.leaderEpoch, brokerEpoch);
  }

  private flushAcks(acks: readonly FollowerAck[]): void {
    if (!this.options.acksOverPeerLinks) {
      this.sendViaRedis(acks);
      return;
    }
    const viaRedis: FollowerAck[] = [];
    for (const batch of byLeader(acks)) {
      if (!this.sendToLeader(batch)) viaRedis.push(...batch);
    }
    this.sendViaRedis(viaRedis);
  }

  /** False when the leader's link is not open: the caller sends the batch through Redis now. */
  private sendToLeader(batch: readonly FollowerAck[]): boolean {
    const { leaderId, brokerEpoch } = batch[0];
    const url = leaderId === this.options.brokerId ? undefined : this.links.brokerUrl(leaderId);
    if (url === undefined) return false;
    const request: ReplicaProgressRequest = {
      replicaId: this.options.brokerId,
      brokerEpoch,
      reports: batch.map((a) => ({ topic: a.topic, partition: a.partition, leaderEpoch: a.leaderEpoch, logEndOffset: a.logEndOffset })),
    };
    const sent = this.links.requestIfConnected(url, Events.replicaProgress, request);
    if (sent === null) return false;
    sent.catch((err: unknown) => {
      this.logger.debug('acks not sent to the leader over WebSocket; sending them through Redis', { leaderId, acks: batch.length, reason: reasonOf(err) });
      this.sendViaRedis(batch);
    });
    return true;
  }

  private sendViaRedis(acks: readonly FollowerAck[]): void {
    if (acks.length === 0) return;
    // A lost ack is resent: the follower reports its log end again on its next apply or tick.
    void this.streams
      .reportAcks(acks.map((a) => ({ ...a, replicaId: this.options.brokerId })))
      .catch((err: unknown) => this.logger.debug('acks not sent', { acks: acks.length, reason: reasonOf(err) }));
  }

  private async readStreams(): Promise<void> {
    while (this.running) {
      const followers = this.replicas.all().filter((a) => a.streamCursor !== null);
      if (followers.length === 0) {
        await sleep(50);
        continue;
      }
      const cursors: StreamCursor[] = followers.map((a) => ({ topic: a.topic, partition: a.partition, after: a.streamCursor as string }));
      try {
        const entries = await this.streamReader.read(cursors, BLOCK_MS, 500);
        this.recovered('stream read');
        for (const e of entries) {
          const actor = this.replicas.get(e.topic, e.partition);
          if (!actor) continue;
          actor.advanceCursor(e.id);
          void actor.applyReplicated(e).catch((err: unknown) =>
            this.logger.warn('replicated entry not applied; the follower resyncs from the leader', {
              topic: e.topic,
              partition: e.partition,
              epoch: e.leaderEpoch,
              baseOffset: e.baseOffset,
              reason: reasonOf(err),
            }),
          );
        }
      } catch (err) {
        this.failed('stream read', err);
        if (this.running) await sleep(200);
      }
    }
  }

  private async readAcks(): Promise<void> {
    let after = '$';
    while (this.running) {
      try {
        if (after === '$') after = await this.streams.lastAckId(this.options.brokerId);
        const acks = await this.ackReader.readAcks(this.options.brokerId, after, BLOCK_MS);
        this.recovered('ack read');
        for (const a of acks) {
          after = a.id;
          this.replicas.get(a.topic, a.partition)?.onReplicaProgress(a.replicaId, a.logEndOffset, a.leaderEpoch, a.brokerEpoch);
        }
      } catch (err) {
        this.failed('ack read', err);
        if (this.running) await sleep(200);
      }
    }
  }

  /** A read failed (Redis unreachable, or closing): retried after a pause; logged once per run. */
  private failed(loop: string, err: unknown): void {
    if (!this.running || this.failing.has(loop)) return;
    this.failing.add(loop);
    this.logger.warn('replication read failing, retrying', { loop, reason: reasonOf(err) });
  }

  private recovered(loop: string): void {
    if (this.failing.delete(loop)) this.logger.info('replication read recovered', { loop });
  }
}

/**
 * The turn's acks grouped by leader (and broker epoch, one per request), each partition once:
 * its latest report says all the earlier ones did.
 */
function byLeader(acks: readonly FollowerAck[]): FollowerAck[][] {
  const groups = new Map<string, Map<string, FollowerAck>>();
  for (const a of acks) {
    const g = `${a.leaderId}:${a.brokerEpoch}`;
    let latest = groups.get(g);
    if (!latest) groups.set(g, (latest = new Map<string, FollowerAck>()));
    latest.set(`${a.partition}:${a.topic}`, a);
  }
  return [...groups.values()].map((m) => [...m.values()]);
}
