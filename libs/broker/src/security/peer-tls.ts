import { readFileSync } from 'fs';
import type { SecurityConfig } from '../config/security-settings';

/** What a socket.io client needs to reach a `wss://` peer: Node's TLS options, read fresh from the files. */
export interface PeerTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * TLS options for this broker's links to its peers: trust TLS_CA_PATH (the cluster's CA, which
 * also signed the listeners' certificates in a private deployment), and present this broker's
 * own certificate, as Kafka brokers present their keystore on inter-broker links, so a cluster
 * with TLS_CLIENT_AUTH=required still replicates. Read on every new link, so a reloaded
 * certificate is the one presented. Undefined without TLS.
 */
export function peerTlsOptions(s: SecurityConfig): PeerTlsOptions | undefined {
  if (s.tlsCertPath === undefined || s.tlsKeyPath === undefined) return undefined;
  return {
    cert: readFileSync(s.tlsCertPath, 'utf8'),
    key: readFileSync(s.tlsKeyPath, 'utf8'),
    ...(s.tlsCaPath !== undefined ? { ca: readFileSync(s.tlsCaPath, 'utf8') } : {}),
  };
}
