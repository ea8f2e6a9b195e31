import {
  ErrorCode,
  Events,
  type CommitOffsetsRequest,
  type CommitOffsetsResponse,
  type FetchOffsetsRequest,
  type FetchOffsetsResponse,
  type OffsetCommitPartition,
} from '@tributary/protocol';
import type { Cluster } from '../../cluster/cluster';
import { asTributaryError, ClientStateError } from '../../errors';
import type { Logger } from '../../logger/logger';
import { unrefTimer } from '../../util/timers';
import type { TopicPartitionOffset } from '../types';
import { CoordinatorClient } from './coordinator-client';
import { GroupMembershipError } from './group-errors';
import { GroupMembership } from './group-membership';
import { OwnershipLedger, sameIdentity, type GroupIdentity } from './ownership-ledger';
import type { GroupJoinEvent, GroupOptions, GroupTP, SubscribeOptions } from './group-types';

/** What the group layer needs from the consumer: it drives assignment and reads positions. */
export interface GroupHost {
  assign(partitions: readonly TopicPartitionOffset[]): void;
  assignment(): GroupTP[];
  position(topic: string, partition: number): number | null;
  setAutoOffsetReset(reset: 'earliest' | 'latest'): void;
  emitGroupJoin(event: GroupJoinEvent): void;
  emitRebalancing(): void;
}

export const GROUP_DEFAULTS = {
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 60_000,
  heartbeatIntervalMs: 3_000,
  autoCommit: true,
  autoCommitIntervalMs: 5_000,
};

const key = (tp: GroupTP): string => `${tp.topic}:${tp.partition}`;

/**
 * A consumer's group side: subscription, membership, committed offsets. On every assignment it
 * assigns the partitions to the consumer at their committed offsets (or the reset policy when
 * none), and it commits positions on an interval, on revocation and on leaving.
 */
export class GroupConsumer {
  private readonly coordinator: CoordinatorClient;
  private readonly membership: GroupMembership;
  private readonly settings: Required<GroupOptions>;
  private patterns: (string | RegExp)[] = [];
  private topics: string[] = [];
  private readonly committed = new Map<string, number>();
  private readonly ledger = new OwnershipLedger();
  private autoCommitTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly host: GroupHost,
    options: GroupOptions,
    clientId: string,
    private readonly logger: Logger,
  ) {
    this.settings = { ...GROUP_DEFAULTS, assignors: ['cooperative-sticky', 'range'], ...stripUndefined(options), groupId: options.groupId };
    if (this.settings.heartbeatIntervalMs >= this.settings.sessionTimeoutMs) throw new ClientStateError('heartbeatIntervalMs must be below sessionTimeoutMs');
    this.coordinator = new CoordinatorClient(cluster, options.groupId);
    this.membership = new GroupMembership(
      { ...this.settings, clientId },
      this.coordinator,
      {
        topics: () => this.topics,
        revoke: (tps, commitAs) => this.revoke(tps, commitAs),
        assigned: (tps, event) => this.assigned(tps, event),
        rebalancing: () => host.emitRebalancing(),
      },
      logger,
    );
  }

  get groupId(): string {
    return this.settings.groupId;
  }

  async subscribe(options: SubscribeOptions): Promise<void> {
    const more = [...(options.topics ?? []), ...(options.topic !== undefined ? [options.topic] : [])];
    if (more.length === 0) throw new ClientStateError('subscribe() needs topic or topics');
    this.patterns.push(...more);
    this.host.setAutoOffsetReset(options.fromBeginning ? 'earliest' : 'latest');
    await this.resolveTopics();
  }

  async start(): Promise<void> {
    if (this.topics.length === 0) throw new ClientStateError('subscribe() to at least one topic before run()');
    await this.cluster.addTargetTopics(this.topics);
    this.membership.start();
    if (this.settings.autoCommit && !this.autoCommitTimer) {
      this.autoCommitTimer = setInterval(() => {
        this.commitPositions().catch((err: unknown) => this.logger.debug('auto-commit failed', { error: String(err) }));
      }, this.settings.autoCommitIntervalMs);
      unrefTimer(this.autoCommitTimer);
    }
  }

  /** Commits what was read and leaves the group at once. */
  async stop(): Promise<void> {
    if (this.autoCommitTimer) clearInterval(this.autoCommitTimer);
    this.autoCommitTimer = null;
    await this.membership.stop();
  }

  /**
   * Commits the given offsets (next offset to read), or every position when none are given. Each
   * offset goes under the identity its partition was fetched with, so a batch that outlived its
   * generation is refused (GroupMembershipError) instead of being committed as the new owner's.
   */
  async commitOffsets(offsets?: readonly OffsetCommitPartition[]): Promise<void> {
    if (offsets === undefined) return this.commitPositions();
    await this.commit(offsets.map((o) => ({ offset: o, identity: this.ledger.identityFor(o, o.offset) ?? this.membership.identity })));
  }

  /** Commits the current position of every partition whose position moved since its last commit. */
  async commitPositions(only?: readonly GroupTP[]): Promise<void> {
    const entries: { offset: OffsetCommitPartition; identity: GroupIdentity | null }[] = [];
    for (const tp of only ?? this.host.assignment()) {
      const position = this.host.position(tp.topic, tp.partition);
      if (position === null || this.committed.get(key(tp)) === position) continue;
      entries.push({
        offset: { topic: tp.topic, partition: tp.partition, offset: position },
        identity: this.ledger.identityOf(tp) ?? this.membership.identity,
      });
    }
    if (entries.length > 0) await this.commit(entries);
  }

  /**
   * Whether a handler may be given records now without asking the coordinator: false once the
   * member's session may have expired (it was paused, or heartbeats failed), see confirmSession().
   */
  get sessionSurelyAlive(): boolean {
    return this.membership.isSurelyAlive;
  }

  /** Asks the coordinator whether this member still belongs to the group; false means do not hand out records. */
  confirmSession(): Promise<boolean> {
    return this.membership.confirmAlive();
  }

  /** Records going to a handler now: a commit of their offsets later carries this holding's identity. */
  handedOut(topic: string, partition: number, first: number, last: number): void {
    this.ledger.handedOut({ topic, partition }, first, last);
  }

  /** The user moved a position back: offsets from there on are this holding's own, not an older one's. */
  seeked(topic: string, partition: number, offset: number): void {
    this.ledger.lowerFloor({ topic, partition }, offset);
  }

  /** One commit request per identity; every request is tried, and the first failure is thrown. */
  private async commit(entries: readonly { offset: OffsetCommitPartition; identity: GroupIdentity | null }[]): Promise<void> {
    const byIdentity = new Map<string, { identity: GroupIdentity | null; offsets: OffsetCommitPartition[] }>();
    for (const e of entries) {
      const k = e.identity === null ? '' : `${e.identity.generationId}:${e.identity.memberId}`;
      const bucket = byIdentity.get(k) ?? { identity: e.identity, offsets: [] };
      bucket.offsets.push(e.offset);
      byIdentity.set(k, bucket);
    }
    const failures: unknown[] = [];
    for (const { identity, offsets } of byIdentity.values()) {
      try {
        await this.send(identity, offsets);
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length > 0) throw failures[0];
  }

  private async send(identity: GroupIdentity | null, offsets: readonly OffsetCommitPartition[]): Promise<void> {
    // no identity: this consumer never joined, so it commits from outside the group (refused while the group has members)
    const memberId = identity?.memberId ?? '';
    const generationId = identity?.generationId ?? -1;
    try {
      await this.coordinator.request<CommitOffsetsRequest, CommitOffsetsResponse>(Events.commitOffsets, {
        groupId: this.groupId,
        memberId,
        generationId,
        offsets: [...offsets],
      });
    } catch (err) {
      const e = asTributaryError(err);
      if (!GroupMembershipError.isFencing(e.code)) throw e;
      // the identity the member holds now was refused: the group moved on unnoticed, so rejoin;
      // the offsets are dropped, never re-sent under another identity
      if (sameIdentity(identity, this.membership.identity)) this.membership.requestRejoin();
      throw new GroupMembershipError(e.code, e.message, this.groupId, memberId, generationId);
    }
    for (const o of offsets) if (identity === null || sameIdentity(this.ledger.identityOf(o), identity)) this.committed.set(key(o), o.offset);
  }

  private async revoke(tps: readonly GroupTP[], commitAs: 'held' | 'none' | GroupIdentity): Promise<void> {
    if (tps.length === 0) return;
    if (typeof commitAs === 'object') for (const tp of tps) this.ledger.hold(tp, commitAs, null);
    // with autoCommit off the user decides what is committed, even at a rebalance (Kafka's rule)
    if (this.settings.autoCommit && commitAs !== 'none')
      await this.commitPositions(tps).catch((err: unknown) => this.logger.warn('commit on revoke failed', { error: String(err) }));
    const gone = new Set(tps.map(key));
    this.host.assign(this.host.assignment().filter((tp) => !gone.has(key(tp))));
    for (const k of gone) this.committed.delete(k);
    for (const tp of tps) this.ledger.release(tp);
  }

  private async assigned(tps: readonly GroupTP[], event: GroupJoinEvent): Promise<void> {
    const current = new Set(this.host.assignment().map(key));
    const fresh = tps.filter((tp) => !current.has(key(tp)));
    const offsets = new Map<string, number>();
    if (fresh.length > 0) {
      const response = await this.coordinator.request<FetchOffsetsRequest, FetchOffsetsResponse>(Events.fetchOffsets, {
        groupId: this.groupId,
        partitions: fresh.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
      });
      for (const o of response.offsets) if (o.offset >= 0) offsets.set(key(o), o.offset);
    }
    await this.cluster.addTargetTopics([...new Set(tps.map((tp) => tp.topic))]).catch(() => undefined);
    const identity: GroupIdentity = { memberId: event.memberId, generationId: event.generationId };
    for (const tp of tps) this.ledger.hold(tp, identity, offsets.get(key(tp)) ?? null);
    this.host.assign(tps.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: offsets.get(key(tp)) })));
    for (const [k, offset] of offsets) this.committed.set(k, offset);
    this.host.emitGroupJoin(event);
  }

  private async resolveTopics(): Promise<void> {
    const names = this.patterns.filter((p): p is string => typeof p === 'string');
    const regexes = this.patterns.filter((p): p is RegExp => p instanceof RegExp);
    if (regexes.length > 0) {
      const all = await this.cluster.fetchMetadata(null);
      for (const t of all.topics) if (t.errorCode === ErrorCode.NONE && regexes.some((r) => r.test(t.name))) names.push(t.name);
    }
    this.topics = [...new Set(names)].sort();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
