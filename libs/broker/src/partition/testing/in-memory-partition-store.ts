import type { BrokerIncarnation, PartitionState } from '@tributary/coordination';
import { TributaryError } from '@tributary/protocol';
import type { MonotonicClock } from '../clock';
import type { PartitionStore } from '../partition-store';

/** Time that moves only when a test says so. */
export class FakeClock implements MonotonicClock {
  constructor(private t = 1_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

type ClaimRefusal = 'lease-held' | 'not-in-isr' | 'no-partition' | 'not-a-replica' | 'stale-broker-epoch';

/**
 * One partition's coordination state in memory, with the fencing rules of the Lua scripts in
 * libs/coordination (claim, renew, ISR compare-and-set); the lease expires on `clock` as Redis's
 * PX would. `unreachable` makes every call fail as a cut-off Redis does; `loseNextIsrReply`
 * commits the next ISR write and then fails the call, as a lost reply does.
 */
export class InMemoryPartitionStore implements PartitionStore {
  lease: { holder: number; expiresAt: number } | null = null;
  readonly brokerEpochs = new Map<number, number>();
  unreachable = false;
  loseNextIsrReply = false;
  readonly isrWrites: number[][] = [];

  constructor(
    public state: PartitionState,
    private readonly clock: MonotonicClock,
  ) {}

  private check(): void {
    if (this.unreachable) throw TributaryError.of('NETWORK_EXCEPTION', 'redis is unreachable (test)');
  }

  private leaseHolder(): number | null {
    return this.lease && this.lease.expiresAt > this.clock.now() ? this.lease.holder : null;
  }

  private currentIncarnation(b: BrokerIncarnation): boolean {
    return this.brokerEpochs.get(b.id) === b.epoch;
  }

  async claimLeadership(
    _t: string,
    _p: number,
    broker: BrokerIncarnation,
    ttlMs: number,
    allowUnclean: boolean,
    latestLogEpoch = -1,
  ): Promise<{ epoch: number } | { refused: ClaimRefusal }> {
    this.check();
    if (!this.currentIncarnation(broker)) return { refused: 'stale-broker-epoch' };
    const holder = this.leaseHolder();
    if (holder !== null && holder !== broker.id) return { refused: 'lease-held' };
    const s = this.state;
    if (!s.replicas.includes(broker.id)) return { refused: 'not-a-replica' };
    let isr = s.isr;
    if (!isr.includes(broker.id)) {
      if (!allowUnclean) return { refused: 'not-in-isr' };
      isr = [broker.id];
    }
    if (s.leader !== broker.id) isr = isr.filter((r) => r !== s.leader);
    const epoch = Math.max(s.leaderEpoch, latestLogEpoch) + 1;
    this.state = { ...s, leader: broker.id, leaderEpoch: epoch, isr };
    this.lease = { holder: broker.id, expiresAt: this.clock.now() + ttlMs };
    return { epoch };
  }

  async renewLeaderLease(_t: string, _p: number, broker: BrokerIncarnation, leaderEpoch: number, ttlMs: number): Promise<boolean> {
    this.check();
    if (!this.currentIncarnation(broker) || this.state.leader !== broker.id || this.state.leaderEpoch !== leaderEpoch) return false;
    const holder = this.leaseHolder();
    if (holder !== null && holder !== broker.id) return false;
    this.lease = { holder: broker.id, expiresAt: this.clock.now() + ttlMs };
    return true;
  }

  async updateIsr(
    _t: string,
    _p: number,
    leader: BrokerIncarnation,
    leaderEpoch: number,
    isr: number[],
  ): Promise<'updated' | 'stale' | 'leader-missing' | 'stale-broker-epoch'> {
    this.check();
    if (!this.currentIncarnation(leader)) return 'stale-broker-epoch';
    if (this.state.leader !== leader.id || this.state.leaderEpoch !== leaderEpoch) return 'stale';
    // as updateIsr.lua: only replicas stay (a reassignment may have removed one meanwhile)
    const members = isr.filter((r) => this.state.replicas.includes(r));
    if (!members.includes(leader.id)) return 'leader-missing';
    this.state = { ...this.state, isr: members };
    this.isrWrites.push([...members]);
    if (this.loseNextIsrReply) {
      this.loseNextIsrReply = false;
      throw TributaryError.of('REQUEST_TIMED_OUT', 'the ISR write committed but its reply was lost (test)');
    }
    return 'updated';
  }

  async partitionState(): Promise<PartitionState | null> {
    this.check();
    return { ...this.state, isr: [...this.state.isr] };
  }

  async isLeaderLeaseHeld(): Promise<boolean> {
    this.check();
    return this.leaseHolder() !== null;
  }
}
