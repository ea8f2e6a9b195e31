import { createHmac, randomBytes } from 'crypto';
import { Buffer } from 'buffer';
import { ErrorCode, type BrokerChallengeResponse, type ResponseBase } from '@tributary/protocol';
import type { RawSocket } from './raw-socket';

/**
 * The peer's side of the inter-broker handshake, written out independently of the broker's
 * code so a test can prove (or fail to prove) that a raw connection is broker `brokerId`.
 */
export function peerProof(
  secret: string,
  clusterId: string,
  brokerId: number,
  brokerEpoch: number | null,
  serverId: number,
  nonce: string,
  peerNonce: string,
): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(JSON.stringify(['tributary-inter-broker-v1', 'peer', clusterId, brokerId, brokerEpoch, serverId, nonce, peerNonce]))
    .digest('hex');
}

export async function authenticateAsBroker(raw: RawSocket, clusterId: string, brokerId: number, secret: string, brokerEpoch?: number): Promise<ResponseBase> {
  const peerNonce = randomBytes(32).toString('hex');
  const ch = await raw.request<BrokerChallengeResponse>('brokerChallenge', { peerNonce });
  if (ch.errorCode !== ErrorCode.NONE) return ch;
  const proof = peerProof(secret, clusterId, brokerId, brokerEpoch ?? null, ch.brokerId, ch.nonce, peerNonce);
  return raw.request<ResponseBase>('brokerAuthenticate', { brokerId, proof, ...(brokerEpoch === undefined ? {} : { brokerEpoch }) });
}
