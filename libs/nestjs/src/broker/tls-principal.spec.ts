import type { Server, Socket } from 'socket.io';
import { BROKER_PRINCIPAL, principalOf } from './connection-principal';
import { certificateOf, installTlsPrincipal } from './tls-principal';

type Middleware = (socket: Socket, next: () => void) => void;

/** Runs installTlsPrincipal's middleware on a connection that presented a verified certificate with this CN. */
function connectWithCertificate(cn: string): Socket {
  let middleware: Middleware | undefined;
  installTlsPrincipal({ use: (fn: Middleware) => (middleware = fn) } as unknown as Server);
  const certificate = { subject: { CN: cn, O: 'Example' }, serialNumber: '01' };
  const socket = {
    data: {},
    request: { socket: { encrypted: true, authorized: true, getPeerCertificate: () => certificate } },
  } as unknown as Socket;
  middleware?.(socket, () => undefined);
  return socket;
}

describe('installTlsPrincipal', () => {
  it("makes a verified certificate's CN the connection's principal", () => {
    const socket = connectWithCertificate('alice');
    expect(principalOf(socket)).toBe('User:alice');
    expect(certificateOf(socket)).toEqual({ subject: 'CN=alice,O=Example', serialNumber: '01' });
  });

  it('gives a reserved CN no principal: a certificate for __broker does not make its holder a broker', () => {
    const broker = connectWithCertificate('__broker');
    expect(principalOf(broker)).not.toBe(BROKER_PRINCIPAL);
    expect(principalOf(broker)).toBe('User:ANONYMOUS');
    expect(certificateOf(broker)?.subject).toBe('CN=__broker,O=Example');
    expect(principalOf(connectWithCertificate('__admin'))).toBe('User:ANONYMOUS');
  });
});
