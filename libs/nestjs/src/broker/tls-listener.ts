import { readFileSync, unwatchFile, watchFile } from 'fs';
import { createSecureContext, type Server as TlsServer } from 'tls';
import type { SecurityConfig } from '@tributary/broker';

/** How often the certificate and key files are stat'ed for a change. */
export const CERT_POLL_MS = 1000;

/** The https server options of a TLS listener (NestFactory's `httpsOptions`), or undefined without TLS. */
export function httpsOptions(s: SecurityConfig) {
  if (s.tlsCertPath === undefined || s.tlsKeyPath === undefined) return undefined;
  return {
    ...secureContextOptions(s),
    // requested: ask for a certificate but let a client without one (or with an unverified one) in; the principal needs a verified one
    requestCert: s.tlsClientAuth !== 'none',
    rejectUnauthorized: s.tlsClientAuth === 'required',
  };
}

function secureContextOptions(s: SecurityConfig): { cert: Buffer; key: Buffer; ca?: Buffer } {
  return {
    cert: readFileSync(s.tlsCertPath ?? ''),
    key: readFileSync(s.tlsKeyPath ?? ''),
    ...(s.tlsCaPath !== undefined ? { ca: readFileSync(s.tlsCaPath) } : {}),
  };
}

/**
 * Reloads the listener's certificate, key and client CA when their files change (a stat poll,
 * which also sees a file replaced by rename, as cert-manager and certbot do): new connections
 * get the new certificate, open ones keep theirs. A pair that does not load (a key written
 * before its certificate) is reported and the old one kept; the next change retries.
 * Returns a function that stops watching.
 */
export function reloadCertificatesOnChange(server: TlsServer, s: SecurityConfig, log: (event: string, detail: Record<string, string>) => void): () => void {
  const files = [s.tlsCertPath, s.tlsKeyPath, s.tlsCaPath].filter((f): f is string => f !== undefined);
  const onChange = (curr: { mtimeMs: number }, prev: { mtimeMs: number }) => {
    if (curr.mtimeMs === prev.mtimeMs) return;
    try {
      const options = secureContextOptions(s);
      createSecureContext(options); // throws on a mismatched or unreadable pair, before the listener is touched
      server.setSecureContext(options);
      log('tls-reloaded', { cert: s.tlsCertPath ?? '' });
    } catch (err) {
      log('tls-reload-failed', { cert: s.tlsCertPath ?? '', reason: err instanceof Error ? err.message : String(err) });
    }
  };
  for (const f of files) watchFile(f, { interval: CERT_POLL_MS, persistent: false }, onChange);
  return () => {
    for (const f of files) unwatchFile(f, onChange);
  };
}
