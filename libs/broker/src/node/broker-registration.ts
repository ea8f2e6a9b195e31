import type { BrokerIncarnation, ClusterStore } from '@tributary/coordination';
import { TributaryError, type BrokerInfo } from '@tributary/protocol';
import { leaseRenewIntervalMs } from '../config/derived-timings';

export interface RegistrationOptions {
  /** random per process start: tells this incarnation from any other holding the same id */
  token: string;
  sessionTimeoutMs: number;
  /** a previous holder's token proven dead (it died holding this data directory's lock) */
  takeoverToken?: string;
  /** the highest broker epoch this data directory has seen */
  epochFloor?: number;
  /** called once when another incarnation turns out to own the id: this process must stop acting as the broker */
  onFenced: (err: TributaryError) => void;
}

/**
 * This process's hold on its broker id. At start it claims the id with a fresh incarnation
 * token and gets a broker epoch (KIP-380) that no earlier start of the id had; a live holder
 * makes the claim fail. Then it renews at a third of the session timeout, so two missed
 * renewals still leave it registered, and a dead broker drops out within one session timeout.
 * A renewal that finds the id owned by another incarnation fences this one.
 *
 * The broker epoch is read from here by everything that must carry it (leadership claims,
 * ISR changes, replica acks and fetches, the inter-broker handshake).
 */
export class BrokerRegistration {
  private epoch = -1;
  private timer: NodeJS.Timeout | null = null;
  private fenced = false;

  constructor(
    private readonly store: ClusterStore,
    private readonly info: BrokerInfo,
    private readonly options: RegistrationOptions,
  ) {}

  /** This incarnation's broker epoch; -1 before the claim succeeded. */
  get brokerEpoch(): number {
    return this.epoch;
  }

  get incarnation(): BrokerIncarnation {
    return { id: this.info.id, epoch: this.epoch };
  }

  get isFenced(): boolean {
    return this.fenced;
  }

  /** Claims the id, or throws DUPLICATE_BROKER_REGISTRATION naming it and its live holder. */
  async start(): Promise<void> {
    const o = this.options;
    const claim = await this.store.claimBrokerId(this.info, o.token, o.sessionTimeoutMs, o.takeoverToken ?? '', o.epochFloor ?? 0);
    if (!claim.claimed) {
      const at = claim.holder ? ` at ${claim.holder.url}` : '';
      throw TributaryError.of(
        'DUPLICATE_BROKER_REGISTRATION',
        `broker id ${this.info.id} is already held by a live broker${at} in cluster '${this.store.cluster}'; ` +
          `stop it or give this broker another BROKER_ID (a dead holder's registration lapses within BROKER_SESSION_TIMEOUT_MS=${o.sessionTimeoutMs})`,
      );
    }
    this.epoch = claim.epoch;
    this.timer = setInterval(() => void this.renew(), leaseRenewIntervalMs(o.sessionTimeoutMs));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopTimer();
    if (this.epoch < 0 || this.fenced) return;
    // Best effort at shutdown: an unreleased id lapses after the session timeout, and a restart
    // on the same data directory takes it over at once (its lock names this token).
    await this.store.releaseBrokerId(this.info.id, this.options.token).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (this.fenced) return;
    let outcome: 'renewed' | 'reborn' | 'fenced';
    try {
      outcome = await this.store.renewBrokerId(this.info, this.options.token, this.epoch, this.options.sessionTimeoutMs);
    } catch {
      return; // Redis unreachable: the leases the broker holds stop it acting in time
    }
    if (outcome !== 'fenced' || this.fenced) return;
    this.fenced = true;
    this.stopTimer();
    this.options.onFenced(
      TributaryError.of(
        'STALE_BROKER_EPOCH',
        `broker id ${this.info.id} (broker epoch ${this.epoch}) was taken over by another incarnation while this one was away; this process stops serving`,
      ),
    );
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
