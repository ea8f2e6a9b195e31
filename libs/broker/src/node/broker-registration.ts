import type { ClusterStore } from '@tributary/coordination';
import type { BrokerInfo } from '@tributary/protocol';

/**
 * Keeps this broker in the live registry: renews its key at a third of the session timeout,
 * so two missed renewals still leave it registered, and a dead broker drops out within one
 * session timeout.
 */
export class BrokerRegistration {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: ClusterStore,
    private readonly info: BrokerInfo,
    private readonly sessionTimeoutMs: number,
  ) {}

  async start(): Promise<void> {
    await this.store.registerBroker(this.info, this.sessionTimeoutMs);
    this.timer = setInterval(
      () => void this.store.registerBroker(this.info, this.sessionTimeoutMs).catch(() => undefined),
      Math.max(100, Math.floor(this.sessionTimeoutMs / 3)),
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.store.deregisterBroker(this.info.id).catch(() => undefined);
  }
}
