import type { ReplicationStreamReader, ReplicationStreamWriter, StreamCursor } from '@tributary/coordination';
import type { FollowerAck } from '../partition/partition-context';
import type { ReplicaManager } from '../partition/replica-manager';
import { reasonOf, silentLogger, type BrokerLogger } from '../logging/broker-logger';

export interface ReplicationServiceOptions {
  brokerId: number;
  tickMs: number;
  logger?: BrokerLogger;
}

const BLOCK_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The broker's replication loops: one blocking read over the streams of every partition it
 * follows, one blocking read of the acks its followers send it as a leader, a batched sender
 * of its own acks, and the tick that renews leases, elects and maintains the ISR.
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

  /** Followers queue their log end here; all queued in one turn go out in one pipeline. */
  reportAck(ack: FollowerAck): void {
    this.pendingAcks.push(ack);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const acks = this.pendingAcks;
      this.pendingAcks = [];
      // A lost ack is resent: the follower reports its log end again on its next apply or tick.
      void this.streams
        .reportAcks(acks.map((a) => ({ ...a, replicaId: this.options.brokerId })))
        .catch((err: unknown) => this.logger.debug('acks not sent', { acks: acks.length, reason: reasonOf(err) }));
    });
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
