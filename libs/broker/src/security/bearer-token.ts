import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'crypto';
import * as fs from 'fs';
import { TributaryError, USER_NAME } from '@tributary/protocol';

/**
 * Bearer tokens for apps whose backend issues them (a browser holds a token, not a password):
 * a compact JWT signed HS256 with TOKEN_SECRET or EdDSA (Ed25519) with the key in
 * TOKEN_PUBLIC_KEY_PATH. The principal is `User:<sub>`; `exp` (required) and `nbf` are honoured.
 * Verifying the two algorithms needs only node:crypto, so no JWT library is pulled in.
 */
export interface VerifiedToken {
  user: string;
  /** ms since the epoch */
  expiresAt: number;
}

export interface TokenKeys {
  secret?: string;
  publicKeyPath?: string;
}

/** Clock skew allowed on exp/nbf, as most JWT verifiers do. */
const LEEWAY_MS = 30_000;

export class BearerTokenVerifier {
  private readonly secret: Buffer | null;
  private readonly publicKey: KeyObject | null;

  constructor(keys: TokenKeys) {
    this.secret = keys.secret === undefined ? null : Buffer.from(keys.secret, 'utf8');
    this.publicKey = keys.publicKeyPath === undefined ? null : createPublicKey(fs.readFileSync(keys.publicKeyPath));
    if (this.publicKey && this.publicKey.asymmetricKeyType !== 'ed25519') {
      throw new Error(`TOKEN_PUBLIC_KEY_PATH: ${keys.publicKeyPath} holds a ${this.publicKey.asymmetricKeyType} key, not Ed25519`);
    }
  }

  verify(token: string, now = Date.now()): VerifiedToken {
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw fail('not a compact JWT');
    const header = decodeJson(parts[0]);
    const claims = decodeJson(parts[1]);
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
    const signature = Buffer.from(parts[2], 'base64url');
    if (header.alg === 'HS256' && this.secret) {
      const expected = createHmac('sha256', this.secret).update(signed).digest();
      if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) throw fail('bad signature');
    } else if (header.alg === 'EdDSA' && this.publicKey) {
      if (!verify(null, signed, this.publicKey, signature)) throw fail('bad signature');
    } else {
      throw fail(`algorithm '${String(header.alg)}' is not accepted by this broker`);
    }
    const { sub, exp, nbf } = claims;
    if (typeof sub !== 'string' || !USER_NAME.test(sub)) throw fail('sub must be a user name of [a-zA-Z0-9._@-]');
    if (typeof exp !== 'number') throw fail('exp is required');
    if (exp * 1000 + LEEWAY_MS <= now) throw fail('token expired');
    if (typeof nbf === 'number' && nbf * 1000 - LEEWAY_MS > now) throw fail('token not valid yet');
    return { user: sub, expiresAt: exp * 1000 };
  }
}

function decodeJson(part: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw fail('malformed JWT');
}

function fail(reason: string): TributaryError {
  return TributaryError.of('SASL_AUTHENTICATION_FAILED', `token authentication failed: ${reason}`);
}
