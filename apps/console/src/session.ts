import { Tributary, TributaryError, type ClientAuth } from '@tributary/client';

/** The broker that served the page: its socket.io endpoint is on the same origin. */
export function pageBroker(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
}

export function openClient(auth: ClientAuth | undefined): Tributary {
  // short timeouts: a console should say something is wrong quickly rather than spin
  return new Tributary({ brokers: [pageBroker()], clientId: 'tributary-console', auth, requestTimeoutMs: 10_000, retry: { retries: 2 } });
}

/** Whether an error means "log in (as someone else)": the broker runs with AUTH on. */
export function needsLogin(err: unknown): boolean {
  if (err instanceof TributaryError) return /SASL|AUTHENTICATION|CLUSTER_AUTHORIZATION/.test(err.type);
  return err instanceof Error && /authenticat/i.test(err.message);
}

export function describeError(err: unknown): string {
  if (err instanceof TributaryError) return `${err.type}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
