import type Redis from 'ioredis';
import type { ChangeEvent } from '../types';

export type ChangeListener = (change: ChangeEvent) => void;

/**
 * Listens on the cluster's change channel over its own connection (a subscribed connection
 * can do nothing else). Pub/sub drops messages while disconnected, so every reconnect is
 * reported as a change of everything: listeners reload rather than trust a gap.
 */
export class ChangeFeed {
  readonly #sub: Redis;
  private readonly listeners = new Set<ChangeListener>();
  private connectedOnce = false;
  private closing: Promise<void> | null = null;

  constructor(
    redis: Redis,
    private readonly channel: string,
  ) {
    this.#sub = redis.duplicate();
    this.#sub.on('message', (_channel: string, message: string) => this.emit(parseChange(message)));
    this.#sub.on('ready', () => {
      if (this.connectedOnce) this.emit({ kind: 'topic' });
      this.connectedOnce = true;
    });
    // Errors are reported through the main connection's users; a subscriber just reconnects.
    this.#sub.on('error', () => undefined);
  }

  async start(): Promise<void> {
    await this.#sub.subscribe(this.channel);
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Idempotent: the owner (Coordination) closes the feed again at its own close. */
  close(): Promise<void> {
    this.listeners.clear();
    this.closing ??= this.#sub.quit().then(
      () => undefined,
      () => this.#sub.disconnect(),
    );
    return this.closing;
  }

  private emit(change: ChangeEvent): void {
    for (const l of this.listeners) l(change);
  }
}

function parseChange(message: string): ChangeEvent {
  try {
    const parsed = JSON.parse(message) as Partial<ChangeEvent>;
    if (parsed.kind === 'broker' || parsed.kind === 'controller' || parsed.kind === 'topic' || parsed.kind === 'partition' || parsed.kind === 'security') {
      return { kind: parsed.kind, subject: parsed.subject === undefined ? undefined : String(parsed.subject) };
    }
  } catch {
    // fall through: an unreadable message still means something changed
  }
  return { kind: 'topic' };
}
