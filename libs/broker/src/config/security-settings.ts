import * as fs from 'fs';
import { z } from 'zod';
import { setting, type ConfigOf } from './setting';

const path = z.string().min(1).optional();
/** unset: unlimited, as Kafka's quotas are by default */
const rate = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional();

/**
 * TLS for the broker's listener and its Redis link, and the client quotas it enforces, keyed
 * by their SecurityConfig field (`config.security`).
 */
export const securitySettings = {
  tlsCertPath: setting(
    'TLS_CERT_PATH',
    path,
    'PEM certificate (chain) of the listener: set with `TLS_KEY_PATH` to serve `wss://` (the whole HTTP port is then TLS); the certificate, key and `TLS_CA_PATH` are re-read within a second of changing, for new connections, without a restart',
  ),
  tlsKeyPath: setting('TLS_KEY_PATH', path, 'PEM private key for `TLS_CERT_PATH`'),
  tlsCaPath: setting(
    'TLS_CA_PATH',
    path,
    "PEM CA certificate(s) that client certificates must chain to (mTLS); brokers also trust it for each other's `wss://` listeners",
  ),
  tlsClientAuth: setting(
    'TLS_CLIENT_AUTH',
    z.enum(['none', 'requested', 'required']).default('none'),
    "client certificates (Kafka's `ssl.client.auth`): `none`; `requested` (a verified certificate sets the principal, none is fine); `required` (a client without a certificate `TLS_CA_PATH` verifies is refused in the TLS handshake). A verified certificate's subject CN becomes the principal `User:<CN>`, unless SASL authentication sets one",
  ),
  redisTlsCaPath: setting('REDIS_TLS_CA_PATH', path, "PEM CA that signed Redis's certificate, for a `rediss://` `REDIS_URL` (default: Node's trusted roots)"),
  quotaProducerByteRate: setting(
    'QUOTA_PRODUCER_BYTE_RATE',
    rate,
    "default produce bytes per second per principal and client id on this broker (Kafka's `producer_byte_rate`); over it, answers are held back (`throttleTimeMs`) rather than refused. Unset: unlimited; overrides per principal/client id live in Redis (`tributary quotas set`)",
  ),
  quotaConsumerByteRate: setting(
    'QUOTA_CONSUMER_BYTE_RATE',
    rate,
    "default fetch response bytes per second per principal and client id (Kafka's `consumer_byte_rate`), enforced the same way",
  ),
  quotaRequestRate: setting('QUOTA_REQUEST_RATE', rate, 'default requests per second (any kind) per principal and client id, enforced the same way'),
  maxConnectionCreationRate: setting(
    'MAX_CONNECTION_CREATION_RATE',
    rate,
    "new connections per second one client IP may open (Kafka's `max.connection.creation.rate`, per IP); excess handshakes are refused (an HTTP error naming the limit) and the IP's open connections stay. Unset: unlimited",
  ),
} as const;

export type SecurityConfig = ConfigOf<typeof securitySettings>;

/** Cross-setting and file checks; returns a message naming the settings at fault, or null. */
export function checkSecurity(s: SecurityConfig): string | null {
  if ((s.tlsCertPath === undefined) !== (s.tlsKeyPath === undefined)) return 'TLS_CERT_PATH and TLS_KEY_PATH must be set together';
  if (s.tlsClientAuth !== 'none' && s.tlsCertPath === undefined) return `TLS_CLIENT_AUTH='${s.tlsClientAuth}' needs TLS (TLS_CERT_PATH and TLS_KEY_PATH)`;
  if (s.tlsClientAuth !== 'none' && s.tlsCaPath === undefined)
    return `TLS_CLIENT_AUTH='${s.tlsClientAuth}' needs TLS_CA_PATH (the CA client certificates chain to)`;
  const files: Array<[string, string | undefined]> = [
    ['TLS_CERT_PATH', s.tlsCertPath],
    ['TLS_KEY_PATH', s.tlsKeyPath],
    ['TLS_CA_PATH', s.tlsCaPath],
    ['REDIS_TLS_CA_PATH', s.redisTlsCaPath],
  ];
  for (const [name, file] of files) {
    if (file === undefined) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      // the answer names the unreadable file: config validation reports it and the broker stops
      return `${name}='${file}': cannot read the file`;
    }
  }
  return null;
}
