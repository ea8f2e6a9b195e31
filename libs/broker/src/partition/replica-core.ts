import type { BrokerIncarnation, PartitionState } from '@tributary/coordination';
import type { PartitionLog } from '@tributary/log';
import { TributaryError, type TopicConfig } from '@tributary/protocol';
import { Mailbox } from '../actor/mailbox';
import { silentLogger, type BrokerLogger } from '../logging/broker-logger';
import { monotonicClock, type MonotonicClock } from './clock';
import type { PartitionContext } from './partition-context';

/** Called after an append (`committed` false) and after the high watermark moved (`committed` true). */
export type AppendListener = (committed: boolean) => void;

/**
 * What every role of one replica shares: the partition's state as this broker knows it, the
 * log, the high watermark and the mailbox that orders every change to them. The roles and the
 * election read and change it; the actor decides which role is current.
 */
export class ReplicaCore {
  readonly mailbox = new Mailbox();
  readonly clock: MonotonicClock;
  /** lines about this replica, each naming its topic and partition */
  readonly logger: BrokerLogger;
  private readonly appendListeners = new Set<AppendListener>();
  state: PartitionState;
  highWatermark = 0;
  closed = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly ctx: PartitionContext,
    readonly log: PartitionLog,
    state: PartitionState,
    public config: TopicConfig,
  ) {
    this.clock = ctx.clock ?? monotonicClock;
    this.logger = (ctx.logger ?? silentLogger).child({ topic, partition });
    // epoch -1: the first update() is always a new term, so the actor takes its role from it
    this.state = { ...state, leaderEpoch: -1 };
  }

  get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  get me(): number {
    return this.ctx.brokerId;
  }

  /** this broker as Redis must see it in claims and ISR changes: id and current broker epoch */
  get incarnation(): BrokerIncarnation {
    return { id: this.ctx.brokerId, epoch: this.ctx.brokerEpoch() };
  }

  post<T>(task: () => T | Promise<T>): Promise<T> {
    return this.mailbox.post(task);
  }

  /** A follower moves its high watermark to the leader's, never past its own log end. */
  followHighWatermark(leaderHw: number): void {
    const hw = Math.min(leaderHw, this.log.logEndOffset);
    if (hw > this.highWatermark) this.highWatermark = hw;
  }

  /**
   * A follower moves its log start up to the leader's (deleteRecords or retention there), as
   * Kafka's followers do from fetch responses: never past its own log end, never backwards.
   */
  followLogStart(leaderLogStart: number): void {
    const start = Math.min(leaderLogStart, this.log.logEndOffset);
    if (Number.isInteger(start) && start > this.log.logStartOffset) this.log.advanceLogStart(start);
  }

  onAppend(listener: AppendListener): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /** `committed`: the high watermark moved (consumers have more to read), not only the log end (replicas do). */
  notifyAppend(committed: boolean): void {
    for (const l of this.appendListeners) l(committed);
  }

  clearListeners(): void {
    this.appendListeners.clear();
  }

  notLeader(why: string): TributaryError {
    return TributaryError.of('NOT_LEADER_OR_FOLLOWER', `this broker cannot serve ${this.name} as leader: ${why}`);
  }
}
