import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import { INTER_BROKER_NONCE_BYTES, INTER_BROKER_PROOF_BYTES } from '@tributary/protocol';

/** The handshake's version tag: a later change of what a proof covers must not verify as this one. */
const DOMAIN = 'tributary-inter-broker-v1';

export type ProofRole = 'server' | 'peer';

/** A fresh random nonce, hex. */
export function newNonce(): string {
  return randomBytes(INTER_BROKER_NONCE_BYTES).toString('hex');
}

/**
 * HMAC-SHA256(secret, transcript). The role is part of the transcript, so a proof a server
 * hands out (to anyone who asks for a challenge) can never pass as a peer's proof. The fields
 * are JSON-encoded as one array, so no choice of values can make two transcripts collide.
 */
export function interBrokerProof(secret: Buffer, role: ProofRole, fields: ReadonlyArray<string | number | null>): string {
  return createHmac('sha256', secret)
    .update(JSON.stringify([DOMAIN, role, ...fields]))
    .digest('hex');
}

/** Constant-time comparison of two hex proofs; a malformed one is simply false. */
export function proofMatches(expectedHex: string, givenHex: string): boolean {
  if (!/^[0-9a-f]*$/.test(givenHex) || givenHex.length !== INTER_BROKER_PROOF_BYTES * 2) return false;
  const expected = Buffer.from(expectedHex, 'hex');
  const given = Buffer.from(givenHex, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A short, non-secret digest of the secret, logged at start so operators can compare brokers. */
export function secretFingerprint(secret: Buffer): string {
  return createHmac('sha256', secret).update(`${DOMAIN}:fingerprint`).digest('hex').slice(0, 12);
}

/** A new cluster secret: 32 random bytes, base64url (43 characters). */
export function newClusterSecret(): string {
  return randomBytes(32).toString('base64url');
}
