import { Buffer } from 'buffer';
import type { ScramCredentialWire, ScramMechanism } from '@tributary/protocol';

/**
 * SCRAM's client half (RFC 5802; SHA-256/512 per RFC 7677) and the salted credentials an admin
 * sends to create a user, on WebCrypto (crypto.subtle), which Node and browsers both have: the
 * SDK stays free of Node-only modules. The password never leaves this process; the broker sees
 * only the proof, and an admin call carries only salt, StoredKey and ServerKey.
 */

const HASH: Record<ScramMechanism, { name: 'SHA-256' | 'SHA-512'; bits: number }> = {
  'SCRAM-SHA-256': { name: 'SHA-256', bits: 256 },
  'SCRAM-SHA-512': { name: 'SHA-512', bits: 512 },
};

/** The parts of WebCrypto used here, typed locally: the SDK compiles without DOM or Node typings for it. */
interface WebCryptoKey {
  readonly type: string;
}
interface Subtle {
  importKey(format: 'raw', key: Uint8Array, algorithm: unknown, extractable: boolean, usages: string[]): Promise<WebCryptoKey>;
  sign(algorithm: 'HMAC', key: WebCryptoKey, data: Uint8Array): Promise<ArrayBuffer>;
  digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer>;
  deriveBits(algorithm: unknown, key: WebCryptoKey, length: number): Promise<ArrayBuffer>;
}
interface WebCrypto {
  subtle?: Subtle;
  getRandomValues<T extends Uint8Array>(array: T): T;
}

function webCrypto(): WebCrypto {
  const c = (globalThis as { crypto?: WebCrypto }).crypto;
  if (!c?.subtle) throw new Error('SCRAM needs WebCrypto (globalThis.crypto.subtle): Node 18+ or a browser in a secure context');
  return c;
}

function subtle(): Subtle {
  const c = webCrypto();
  if (!c.subtle) throw new Error('unreachable');
  if (!c?.subtle) throw new Error('SCRAM needs WebCrypto (globalThis.crypto.subtle): Node 18+ or a browser in a secure context');
  return c.subtle;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

async function hmac(mechanism: ScramMechanism, key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', key, { name: 'HMAC', hash: HASH[mechanism].name }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, data));
}

async function hash(mechanism: ScramMechanism, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest(HASH[mechanism].name, data));
}

async function saltedPassword(mechanism: ScramMechanism, password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await subtle().importKey('raw', utf8(password.normalize('NFKC')), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle().deriveBits({ name: 'PBKDF2', hash: HASH[mechanism].name, salt, iterations }, key, HASH[mechanism].bits);
  return new Uint8Array(bits);
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

function randomNonce(): string {
  return b64(webCrypto().getRandomValues(new Uint8Array(24)));
}

/** RFC 5802 saslname: ',' and '=' escaped. */
const saslName = (user: string): string => user.replace(/=/g, '=3D').replace(/,/g, '=2C');

/** What the broker stores for a user (RFC 5802 §3): computed here, so the password is never sent. */
export async function scramCredential(mechanism: ScramMechanism, password: string, iterations: number, salt?: Uint8Array): Promise<ScramCredentialWire> {
  const s = salt ?? webCrypto().getRandomValues(new Uint8Array(32));
  const salted = await saltedPassword(mechanism, password, s, iterations);
  const clientKey = await hmac(mechanism, salted, utf8('Client Key'));
  return {
    mechanism,
    iterations,
    salt: b64(s),
    storedKey: b64(await hash(mechanism, clientKey)),
    serverKey: b64(await hmac(mechanism, salted, utf8('Server Key'))),
  };
}

/**
 * One SCRAM exchange: `first()` is the client-first message, `final(serverFirst)` the
 * client-final one, and `verify(serverFinal)` checks the server's signature, so a broker that
 * does not hold the user's ServerKey cannot pass for one that does.
 */
export class ScramClient {
  private readonly clientNonce: string;
  private clientFirstBare = '';
  private expectedServerSignature = '';

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly user: string,
    private readonly password: string,
    nonce?: string,
  ) {
    this.clientNonce = nonce ?? randomNonce();
  }

  first(): string {
    this.clientFirstBare = `n=${saslName(this.user)},r=${this.clientNonce}`;
    return `n,,${this.clientFirstBare}`;
  }

  async final(serverFirst: string): Promise<string> {
    const attrs = new Map(serverFirst.split(',').map((p) => [p.slice(0, 1), p.slice(2)] as const));
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce?.startsWith(this.clientNonce) || salt === undefined || !Number.isInteger(iterations) || iterations < 1) {
      throw new Error(`malformed SCRAM server-first message`);
    }
    const salted = await saltedPassword(this.mechanism, this.password, unb64(salt), iterations);
    const clientKey = await hmac(this.mechanism, salted, utf8('Client Key'));
    const storedKey = await hash(this.mechanism, clientKey);
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = utf8(`${this.clientFirstBare},${serverFirst},${withoutProof}`);
    const proof = xor(clientKey, await hmac(this.mechanism, storedKey, authMessage));
    const serverKey = await hmac(this.mechanism, salted, utf8('Server Key'));
    this.expectedServerSignature = b64(await hmac(this.mechanism, serverKey, authMessage));
    return `${withoutProof},p=${b64(proof)}`;
  }

  /** True when the server proved it holds the user's ServerKey. */
  verify(serverFinal: string): boolean {
    return this.expectedServerSignature !== '' && serverFinal === `v=${this.expectedServerSignature}`;
  }
}
