import { ScramClient, scramCredential } from './scram-client';

/** RFC 7677 §3: the SCRAM-SHA-256 exchange for user 'user', password 'pencil'. */
describe('SCRAM client (WebCrypto)', () => {
  it('produces the RFC 7677 SCRAM-SHA-256 test vector and checks the server signature', async () => {
    const c = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    expect(c.first()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = await c.final('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    expect(final).toBe('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    expect(c.verify('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')).toBe(true);
    expect(c.verify('v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')).toBe(false);
  });

  it('refuses a server nonce that does not extend its own', async () => {
    const c = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', 'abc');
    c.first();
    await expect(c.final('r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')).rejects.toThrow(/malformed/);
  });

  it('escapes , and = in user names (RFC 5802 saslname)', () => {
    expect(new ScramClient('SCRAM-SHA-256', 'a,b=c', 'p', 'n').first()).toBe('n,,n=a=2Cb=3Dc,r=n');
  });

  it("computes the broker's stored credential from the password (the password itself is not in it)", async () => {
    const salt = new Uint8Array(Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const cred = await scramCredential('SCRAM-SHA-256', 'pencil', 4096, salt);
    // StoredKey = H(HMAC(SaltedPassword, "Client Key")) for the RFC 7677 vector
    expect(cred).toMatchObject({ mechanism: 'SCRAM-SHA-256', iterations: 4096, salt: 'W22ZaJ0SNY7soEsUEjb6gQ==' });
    expect(JSON.stringify(cred)).not.toContain('pencil');
  });
});
