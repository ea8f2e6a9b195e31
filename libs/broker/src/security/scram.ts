import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'crypto';
import { TributaryError, type ScramCredentialWire, type ScramMechanism } from '@tributary/protocol';

/**
 * SCRAM (RFC 5802, with SHA-256/512 per RFC 7677), the server's half, as Kafka runs it: the
 * broker keeps only salt, iterations, StoredKey and ServerKey per user, checks the client's
 * proof against StoredKey, and proves itself with ServerKey. Neither the password nor
 * anything that lets one log in travels or is stored.
 */

const HASH: Record<ScramMechanism, { name: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { name: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { name: 'sha512', bytes: 64 },
};

/** Salted credentials for a password (RFC 5802 §3): used by tests and by anyone provisioning users server-side. */
export function scramCredential(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): ScramCredentialWire {
  const h = HASH[mechanism];
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, h.bytes, h.name);
  const clientKey = createHmac(h.name, salted).update('Client Key').digest();
  return {
    mechanism,
    iterations,
    salt: salt.toString('base64'),
    storedKey: createHash(h.name).update(clientKey).digest('base64'),
    serverKey: createHmac(h.name, salted).update('Server Key').digest('base64'),
  };
}

/** Parses `k=v,k=v` attributes; SCRAM values never contain ',' except in the GS2 header, handled apart. */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) throw fail('malformed SCRAM message');
    out.set(part[0], part.slice(2));
  }
  return out;
}

function fail(reason: string): TributaryError {
  return TributaryError.of('SASL_AUTHENTICATION_FAILED', `authentication failed: ${reason}`);
}

/** RFC 5802 saslname: '=2C' is ',' and '=3D' is '='; any other '=' is malformed. */
function decodeSaslName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw fail('malformed user name');
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export type CredentialLookup = (user: string, mechanism: ScramMechanism) => Promise<ScramCredentialWire | null>;

/**
 * One SCRAM exchange on one connection: `clientFirst` answers the server-first message,
 * `clientFinal` the server-final one and names the authenticated user. An unknown user gets
 * a made-up salt and fails only at the proof, so a guesser cannot tell users from non-users.
 */
export class ScramServerSession {
  private state: 'first' | 'final' | 'done' = 'first';
  private user = '';
  private nonce = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private credential: ScramCredentialWire | null = null;

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly lookup: CredentialLookup,
    /** per-process secret that salts the made-up credential of an unknown user */
    private readonly decoySecret: Buffer,
    private readonly serverNonce: () => string = () => randomBytes(24).toString('base64'),
  ) {}

  /** the user named in client-first, for audit lines; '' before it */
  get userName(): string {
    return this.user;
  }

  async step(message: string): Promise<{ response: string; user?: string }> {
    switch (this.state) {
      case 'first':
        return { response: await this.clientFirst(message) };
      case 'final':
        return this.clientFinal(message);
      case 'done':
        throw TributaryError.of('ILLEGAL_SASL_STATE', 'this connection has already authenticated');
    }
  }

  private async clientFirst(message: string): Promise<string> {
    // GS2 header: 'n,,' (no channel binding, no authzid); 'y,,' is accepted too (client could bind, server cannot).
    const m = /^([ny]),(?:a=[^,]*)?,(.*)$/.exec(message);
    if (!m) throw fail("client-first message must start with 'n,,' (channel binding is not supported)");
    this.clientFirstBare = m[2];
    const attrs = attributes(this.clientFirstBare);
    const user = attrs.get('n');
    const clientNonce = attrs.get('r');
    if (user === undefined || user === '' || clientNonce === undefined || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce))
      throw fail('client-first needs n= and r=');
    if (attrs.has('m')) throw fail('SCRAM extensions are not supported');
    this.user = decodeSaslName(user);
    this.credential = await this.lookup(this.user, this.mechanism);
    const cred = this.credential ?? this.decoy();
    this.nonce = clientNonce + this.serverNonce();
    this.serverFirst = `r=${this.nonce},s=${cred.salt},i=${cred.iterations}`;
    this.state = 'final';
    return this.serverFirst;
  }

  private clientFinal(message: string): { response: string; user: string } {
    this.state = 'done';
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) throw fail('client-final needs p=');
    const withoutProof = message.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    if (attrs.get('c') !== 'biws' && attrs.get('c') !== 'eSws') throw fail('channel binding is not supported');
    if (attrs.get('r') !== this.nonce) throw fail('nonce mismatch');
    const h = HASH[this.mechanism];
    const cred = this.credential;
    if (!cred || proof.length !== h.bytes) throw fail(`unknown user or wrong password for '${this.user}'`);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const storedKey = Buffer.from(cred.storedKey, 'base64');
    const clientSignature = createHmac(h.name, storedKey).update(authMessage).digest();
    const clientKey = Buffer.alloc(h.bytes);
    for (let i = 0; i < h.bytes; i++) clientKey[i] = proof[i] ^ clientSignature[i];
    const computed = createHash(h.name).update(clientKey).digest();
    if (computed.length !== storedKey.length || !timingSafeEqual(computed, storedKey)) throw fail(`unknown user or wrong password for '${this.user}'`);
    const serverSignature = createHmac(h.name, Buffer.from(cred.serverKey, 'base64')).update(authMessage).digest('base64');
    return { response: `v=${serverSignature}`, user: this.user };
  }

  private decoy(): ScramCredentialWire {
    const salt = createHmac('sha256', this.decoySecret).update(this.user).digest().subarray(0, 16);
    return { mechanism: this.mechanism, iterations: 4096, salt: salt.toString('base64'), storedKey: '', serverKey: '' };
  }
}
