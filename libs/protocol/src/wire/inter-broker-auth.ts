import { z } from 'zod';
import type { ResponseBase } from './messages';
import { requestParser } from './request-parser';

/**
 * The inter-broker handshake (see the README's "Inter-broker authentication"). A peer broker
 * opens a connection, sends `brokerChallenge` with its own nonce, and gets the server's nonce
 * plus the server's proof over the peer's nonce (so the peer knows it reached a broker of its
 * own cluster). It then sends `brokerAuthenticate` with its proof over the server's nonce;
 * only then does the server treat the connection as broker `brokerId`. Proofs are
 * HMAC-SHA256 over the cluster secret, computed by the broker library (this package stays
 * free of Node-only crypto).
 */

/** Bytes of randomness in a nonce; hex on the wire. */
export const INTER_BROKER_NONCE_BYTES = 32;
/** HMAC-SHA256 output; hex on the wire. */
export const INTER_BROKER_PROOF_BYTES = 32;

export interface BrokerChallengeRequest {
  /** the peer's fresh nonce, which the server's proof covers */
  peerNonce: string;
}

export interface BrokerChallengeResponse extends ResponseBase {
  clusterId: string;
  /** the server broker's id */
  brokerId: number;
  /** the server's fresh nonce; valid for one brokerAuthenticate on this connection */
  nonce: string;
  /** the server's proof over the peer's nonce */
  proof: string;
}

export interface BrokerAuthenticateRequest {
  /** the broker id the peer claims; the proof binds it */
  brokerId: number;
  /**
   * The peer's broker epoch (KIP-380) for this start, when it has one; the proof binds it,
   * and the server carries it with the connection's identity.
   */
  brokerEpoch?: number;
  proof: string;
}

export type BrokerAuthenticateResponse = ResponseBase;

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes * 2} lowercase hex digits`);

const brokerChallenge = z.object({ peerNonce: hex(INTER_BROKER_NONCE_BYTES) });
const brokerAuthenticate = z.object({
  brokerId: z.number().int().min(0).max(0x7fffffff),
  brokerEpoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  proof: hex(INTER_BROKER_PROOF_BYTES),
});

export const parseInterBrokerRequest = {
  brokerChallenge: requestParser<BrokerChallengeRequest>('brokerChallenge', brokerChallenge),
  brokerAuthenticate: requestParser<BrokerAuthenticateRequest>('brokerAuthenticate', brokerAuthenticate),
};
