import { ScramClient } from '@tributary/client';
import { RawSocket } from './raw-socket';

interface Answer {
  errorCode: number;
  errorMessage?: string;
  authBytes?: string;
  principal?: string;
}

/** A bare connection that logged in with SCRAM-SHA-256, for requests the SDK never sends (another member's id). */
export async function scramSocket(url: string, user: string, password: string): Promise<RawSocket> {
  const socket = await RawSocket.connect(url);
  const scram = new ScramClient('SCRAM-SHA-256', user, password);
  const steps: [string, unknown][] = [['saslHandshake', { mechanism: 'SCRAM-SHA-256' }]];
  const hs = await socket.request<Answer>(...steps[0]);
  if (hs.errorCode !== 0) throw new Error(`saslHandshake: ${hs.errorCode} ${hs.errorMessage ?? ''}`);
  const first = await socket.request<Answer>('saslAuthenticate', { authBytes: scram.first() });
  if (first.errorCode !== 0) throw new Error(`saslAuthenticate: ${first.errorCode} ${first.errorMessage ?? ''}`);
  const final = await socket.request<Answer>('saslAuthenticate', { authBytes: await scram.final(first.authBytes ?? '') });
  if (final.errorCode !== 0 || !scram.verify(final.authBytes ?? '')) {
    socket.close();
    throw new Error(`saslAuthenticate: ${final.errorCode} ${final.errorMessage ?? ''}`);
  }
  return socket;
}
