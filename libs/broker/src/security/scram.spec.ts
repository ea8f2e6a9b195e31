import { randomBytes } from 'crypto';
import type { ScramCredentialWire } from '@tributary/protocol';
import { scramCredential, ScramServerSession } from './scram';

/** RFC 7677 §3: the SCRAM-SHA-256 exchange for user 'user', password 'pencil'. */
const RFC7677 = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

function session(users: Record<string, ScramCredentialWire>): ScramServerSession {
  return new ScramServerSession(
    'SCRAM-SHA-256',
    async (user) => users[user] ?? null,
    randomBytes(32),
    () => RFC7677.serverNonce,
  );
}

describe('SCRAM server (RFC 5802 / RFC 7677)', () => {
  const pencil = scramCredential('SCRAM-SHA-256', 'pencil', Buffer.from(RFC7677.salt, 'base64'), 4096);

  it('runs the RFC 7677 SCRAM-SHA-256 test vector to the byte', async () => {
    const s = session({ user: pencil });
    expect((await s.step(RFC7677.clientFirst)).response).toBe(RFC7677.serverFirst);
    expect(await s.step(RFC7677.clientFinal)).toEqual({ response: RFC7677.serverFinal, user: 'user' });
  });

  it('keeps only salted keys: nothing stored equals or contains the password', () => {
    expect(Object.keys(pencil).sort()).toEqual(['iterations', 'mechanism', 'salt', 'serverKey', 'storedKey']);
    expect(JSON.stringify(pencil)).not.toContain('pencil');
  });

  it('refuses a proof made with another password, and a replayed exchange', async () => {
    const wrong = scramCredential('SCRAM-SHA-256', 'crayon', Buffer.from(RFC7677.salt, 'base64'), 4096);
    const s = session({ user: wrong });
    await s.step(RFC7677.clientFirst);
    await expect(s.step(RFC7677.clientFinal)).rejects.toMatchObject({ type: 'SASL_AUTHENTICATION_FAILED' });
    // a session is one exchange: after a failure it takes nothing more
    await expect(s.step(RFC7677.clientFinal)).rejects.toMatchObject({ type: 'ILLEGAL_SASL_STATE' });
  });

  it('answers an unknown user like a known one (a made-up salt) and fails only at the proof', async () => {
    const s = session({});
    const first = (await s.step(RFC7677.clientFirst)).response;
    expect(first).toMatch(/^r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj\)hNlF\$k0,s=[A-Za-z0-9+/]+=*,i=4096$/);
    await expect(s.step(RFC7677.clientFinal)).rejects.toMatchObject({ type: 'SASL_AUTHENTICATION_FAILED' });
  });

  it('refuses a client-final whose nonce is not the one issued, and malformed messages', async () => {
    const s = session({ user: pencil });
    await s.step(RFC7677.clientFirst);
    await expect(s.step(RFC7677.clientFinal.replace('k0,p=', 'k1,p='))).rejects.toMatchObject({ type: 'SASL_AUTHENTICATION_FAILED' });
    await expect(session({}).step('garbage')).rejects.toMatchObject({ type: 'SASL_AUTHENTICATION_FAILED' });
    await expect(session({}).step('p=tls-unique,,n=user,r=abc')).rejects.toMatchObject({ type: 'SASL_AUTHENTICATION_FAILED' });
  });

  it('SCRAM-SHA-512 round-trips with the same construction', async () => {
    const cred = scramCredential('SCRAM-SHA-512', 'pencil', randomBytes(16), 4096);
    const s = new ScramServerSession('SCRAM-SHA-512', async () => cred, randomBytes(32));
    const first = (await s.step('n,,n=bob,r=abc')).response;
    expect(first).toMatch(/^r=abc.+,s=.+,i=4096$/);
  });
});
