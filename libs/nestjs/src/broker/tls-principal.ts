import type { PeerCertificate, TLSSocket } from 'tls';
import type { Server, Socket } from 'socket.io';
import { RESERVED_USER_NAME } from '@tributary/protocol';
import { principalOf, setPrincipal, ANONYMOUS } from './connection-principal';

/** The verified client certificate of a connection, as describeConnection shows it. */
export interface ConnectionCertificate {
  subject: string;
  serialNumber: string;
}

interface CertificateData {
  certificate?: ConnectionCertificate;
}

/**
 * mTLS: a connection whose client certificate the listener verified (TLS_CLIENT_AUTH
 * requested or required, chained to TLS_CA_PATH) gets the principal `User:<subject CN>`,
 * Kafka's ssl.principal.mapping.rules reduced to its common rule. Authentication on the
 * socket (SASL/SCRAM, tokens) runs later and may set another principal; an unverified
 * certificate sets nothing, and neither does a reserved CN (`__broker` would make the client a
 * super user acting as another broker): that connection stays ANONYMOUS until it authenticates.
 */
export function installTlsPrincipal(server: Server): void {
  server.use((socket, next) => {
    const cert = verifiedCertificate(socket);
    if (cert) {
      (socket.data as CertificateData).certificate = { subject: subjectOf(cert), serialNumber: cert.serialNumber };
      const cn = typeof cert.subject.CN === 'string' ? cert.subject.CN : undefined;
      if (cn && !RESERVED_USER_NAME.test(cn) && principalOf(socket) === ANONYMOUS) setPrincipal(socket, `User:${cn}`, undefined, 'certificate');
    }
    next();
  });
}

/** The client certificate this connection presented and the listener verified, or null. */
export function certificateOf(socket: Pick<Socket, 'data'>): ConnectionCertificate | null {
  return (socket.data as CertificateData | undefined)?.certificate ?? null;
}

function verifiedCertificate(socket: Socket): PeerCertificate | null {
  const raw = socket.request.socket as Partial<TLSSocket>;
  if (raw.encrypted !== true || raw.authorized !== true || typeof raw.getPeerCertificate !== 'function') return null;
  const cert = raw.getPeerCertificate();
  return cert && Object.keys(cert).length > 0 ? cert : null;
}

/** `CN=alice,O=Example`: the subject's fields in the certificate's order. */
function subjectOf(cert: PeerCertificate): string {
  return Object.entries(cert.subject)
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}=${String(x)}`) : [`${k}=${String(v)}`]))
    .join(',');
}
