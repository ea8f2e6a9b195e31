import { createHmac, generateKeyPairSync, sign } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BearerTokenVerifier } from './bearer-token';

const SECRET = 'a-token-secret-of-at-least-32-characters!';
const b64u = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function hs256(claims: Record<string, unknown>, secret = SECRET): string {
  const head = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

describe('bearer tokens', () => {
  const now = Date.now();
  const exp = Math.floor(now / 1000) + 600;

  it('accepts an HS256 token signed with the secret and names its sub', () => {
    expect(new BearerTokenVerifier({ secret: SECRET }).verify(hs256({ sub: 'alice', exp }))).toEqual({ user: 'alice', expiresAt: exp * 1000 });
  });

  it('refuses a wrong signature, an expired token, a missing exp, alg none and garbage', () => {
    const v = new BearerTokenVerifier({ secret: SECRET });
    expect(() => v.verify(hs256({ sub: 'alice', exp }, 'another-secret-of-at-least-32-characters'))).toThrow(/bad signature/);
    expect(() => v.verify(hs256({ sub: 'alice', exp: Math.floor(now / 1000) - 3600 }))).toThrow(/expired/);
    expect(() => v.verify(hs256({ sub: 'alice' }))).toThrow(/exp is required/);
    expect(() => v.verify(`${b64u({ alg: 'none' })}.${b64u({ sub: 'alice', exp })}.`)).toThrow(/algorithm 'none'/);
    expect(() => v.verify('not a token')).toThrow(/compact JWT/);
  });

  it('accepts an EdDSA token verified with an Ed25519 public key file', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'token-key-'));
    const file = path.join(dir, 'pub.pem');
    fs.writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }));
    try {
      const head = `${b64u({ alg: 'EdDSA' })}.${b64u({ sub: 'svc-1', exp })}`;
      const token = `${head}.${sign(null, Buffer.from(head), privateKey).toString('base64url')}`;
      expect(new BearerTokenVerifier({ publicKeyPath: file }).verify(token).user).toBe('svc-1');
      // an HS256 token is not accepted by a broker configured with a public key only
      expect(() => new BearerTokenVerifier({ publicKeyPath: file }).verify(hs256({ sub: 'alice', exp }))).toThrow(/algorithm 'HS256'/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
