import { ErrorCode, Events, USER_NAME, type SaslAuthenticateResponse, type SaslHandshakeResponse, type ScramMechanism } from '@tributary/protocol';
import { AuthenticationError, InvalidConfigError } from '../errors';
import { ScramClient } from './scram-client';

/** How the client proves who it is to brokers that run with AUTH on. */
export type ClientAuth =
  | { mechanism: 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
  /** a bearer token the broker verifies (HS256 or EdDSA JWT); the principal is its `sub` */
  | { mechanism: 'token'; token: string };

/** Checks the `auth` option at construction, naming what is wrong. */
export function validateAuth(auth: unknown): void {
  if (auth === undefined) return;
  if (typeof auth !== 'object' || auth === null) throw new InvalidConfigError('auth', 'auth must be an object with a mechanism');
  const a = auth as Record<string, unknown>;
  if (a.mechanism === 'token') {
    if (typeof a.token !== 'string' || a.token.length === 0) throw new InvalidConfigError('auth.token', 'auth.token must be a non-empty string');
    return;
  }
  if (a.mechanism !== 'scram-sha-256' && a.mechanism !== 'scram-sha-512') {
    throw new InvalidConfigError('auth.mechanism', "auth.mechanism must be 'scram-sha-256', 'scram-sha-512' or 'token'");
  }
  if (typeof a.username !== 'string' || !USER_NAME.test(a.username)) {
    throw new InvalidConfigError('auth.username', 'auth.username must be 1 to 249 of [a-zA-Z0-9._@-]');
  }
  if (typeof a.password !== 'string' || a.password.length === 0) throw new InvalidConfigError('auth.password', 'auth.password must be a non-empty string');
}

type Ask = <Req, Res>(event: string, payload: Req) => Promise<Res>;

/**
 * Runs the SASL exchange on a fresh connection (saslHandshake, then saslAuthenticate until the
 * broker names the principal). `ask` sends one request and resolves with the raw answer; any
 * refusal becomes an AuthenticationError, which no retry policy retries.
 */
export async function authenticate(url: string, auth: ClientAuth, ask: Ask): Promise<string> {
  const mechanism = auth.mechanism === 'token' ? 'TOKEN' : (auth.mechanism.toUpperCase() as ScramMechanism);
  const hs = await ask<{ mechanism: string }, SaslHandshakeResponse>(Events.saslHandshake, { mechanism });
  if (hs.errorCode !== ErrorCode.NONE) {
    throw new AuthenticationError(
      url,
      `${url} does not accept ${mechanism}: ${hs.errorMessage ?? ''} (it accepts: ${hs.mechanisms?.join(', ') || 'none'})`,
      hs.errorCode,
    );
  }
  const step = async (authBytes: string): Promise<SaslAuthenticateResponse> => {
    const r = await ask<{ authBytes: string }, SaslAuthenticateResponse>(Events.saslAuthenticate, { authBytes });
    if (r.errorCode !== ErrorCode.NONE) throw new AuthenticationError(url, `authentication to ${url} failed: ${r.errorMessage ?? 'refused'}`, r.errorCode);
    return r;
  };
  if (auth.mechanism === 'token') {
    const done = await step(auth.token);
    return principalOrFail(url, done);
  }
  const scram = new ScramClient(mechanism as ScramMechanism, auth.username, auth.password);
  const serverFirst = await step(scram.first());
  const done = await step(await scram.final(serverFirst.authBytes));
  // the server proves it holds the user's ServerKey: a broker that merely accepts anyone does not pass
  if (!scram.verify(done.authBytes)) throw new AuthenticationError(url, `${url} failed to prove it knows the credentials of '${auth.username}'`);
  return principalOrFail(url, done);
}

function principalOrFail(url: string, r: SaslAuthenticateResponse): string {
  if (typeof r.principal !== 'string') throw new AuthenticationError(url, `${url} ended authentication without naming the principal`);
  return r.principal;
}
