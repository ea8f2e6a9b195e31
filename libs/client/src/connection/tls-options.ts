import { InvalidConfigError } from '../errors';

/**
 * TLS for `wss://` brokers in Node (browsers use their own trust store and client
 * certificates, and ignore these): PEM text, e.g. `fs.readFileSync('ca.pem', 'utf8')`.
 */
export interface TlsOptions {
  /** CA certificate(s) to trust for the brokers' certificates; default: Node's trusted roots */
  ca?: string | string[];
  /** client certificate (mTLS), with `key` */
  cert?: string;
  key?: string;
  /** false accepts any broker certificate: for tests only; default true */
  rejectUnauthorized?: boolean;
}

/** Checks the `tls` option: every field PEM text (or a list, for `ca`), cert and key together. */
export function validateTls(tls: unknown): void {
  if (tls === undefined) return;
  if (typeof tls !== 'object' || tls === null) throw new InvalidConfigError('tls', 'tls must be an object with ca, cert, key or rejectUnauthorized');
  const t = tls as Record<string, unknown>;
  const pem = (v: unknown) => typeof v === 'string' && v.includes('-----BEGIN ');
  if (t.ca !== undefined && !(pem(t.ca) || (Array.isArray(t.ca) && t.ca.length > 0 && t.ca.every(pem)))) {
    throw new InvalidConfigError('tls', 'tls.ca must be PEM text (or a list of them), e.g. fs.readFileSync(path, "utf8")');
  }
  for (const k of ['cert', 'key'] as const) {
    if (t[k] !== undefined && !pem(t[k])) throw new InvalidConfigError('tls', `tls.${k} must be PEM text, e.g. fs.readFileSync(path, "utf8")`);
  }
  if ((t.cert === undefined) !== (t.key === undefined)) throw new InvalidConfigError('tls', 'tls.cert and tls.key go together');
  if (t.rejectUnauthorized !== undefined && typeof t.rejectUnauthorized !== 'boolean') {
    throw new InvalidConfigError('tls', 'tls.rejectUnauthorized must be a boolean');
  }
}
