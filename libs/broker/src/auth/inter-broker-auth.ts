import { TributaryError, type BrokerAuthenticateRequest, type BrokerChallengeResponse } from '@tributary/protocol';
import { ConfigError } from '../config/broker-config';
import { interBrokerProof, newClusterSecret, newNonce, proofMatches, secretFingerprint } from './inter-broker-hmac';

const MIN_SECRET_LENGTH = 32;

/** Who a connection proved to be. */
export interface AuthenticatedBroker {
  brokerId: number;
  /** the peer's broker epoch (KIP-380), when it sent one */
  brokerEpoch?: number;
}

/** Where the secret came from, for the start-up log line. */
export interface SecretSource {
  source: 'INTER_BROKER_SECRET' | 'coordination Redis (created now)' | 'coordination Redis';
  fingerprint: string;
}

/** Sets the cluster's secret in Redis unless one is there (SET NX), and returns the one that is. */
export type SharedSecretStore = (candidate: string) => Promise<{ secret: string; created: boolean }>;

/**
 * Both halves of the inter-broker challenge-response over the cluster secret: the server
 * half (issue a nonce, check a peer's proof) for the gateway, the peer half (check the
 * server, answer its nonce) for BrokerLinks.
 */
export class InterBrokerAuth {
  private secret: Buffer | null = null;
  private sourceInfo: SecretSource | null = null;
  /**
   * This broker's epoch for the current start (KIP-380), sent and bound in every handshake
   * when set. Left to the broker-identity work to fill in.
   */
  brokerEpoch: number | undefined = undefined;
  /** Where a refused handshake is reported (the broker module points it at its logger). */
  onWarning: (message: string) => void = () => undefined;

  constructor(
    readonly clusterId: string,
    readonly brokerId: number,
    configured: string | undefined,
  ) {
    // loadBrokerConfig checks this too; an embedding app may build its config by hand.
    if (configured !== undefined && configured.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`invalid broker configuration: INTER_BROKER_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    if (configured !== undefined) this.useSecret(configured, 'INTER_BROKER_SECRET');
  }

  /**
   * Without INTER_BROKER_SECRET the cluster's secret lives in the coordination Redis, made once
   * by whichever broker starts first: Redis is the trust root already (whoever can write it can
   * rewrite leaders and ISRs), and the wire never carries it.
   */
  async start(shared: SharedSecretStore): Promise<SecretSource> {
    if (!this.secret) {
      const { secret, created } = await shared(newClusterSecret());
      this.useSecret(secret, created ? 'coordination Redis (created now)' : 'coordination Redis');
    }
    return this.sourceInfo as SecretSource;
  }

  get source(): SecretSource | null {
    return this.sourceInfo;
  }

  // ---- server half ----

  /** A fresh nonce for a peer, and this broker's proof over the peer's nonce. */
  challenge(peerNonce: string): { nonce: string; response: BrokerChallengeResponse } {
    const secret = this.requireSecret();
    const nonce = newNonce();
    const proof = interBrokerProof(secret, 'server', [this.clusterId, this.brokerId, nonce, peerNonce]);
    return { nonce, response: { errorCode: 0, clusterId: this.clusterId, brokerId: this.brokerId, nonce, proof } };
  }

  /** The identity the request proves, or null when its proof is wrong for the challenge issued. */
  verifyPeer(nonce: string, peerNonce: string, request: BrokerAuthenticateRequest): AuthenticatedBroker | null {
    const secret = this.requireSecret();
    const expected = interBrokerProof(secret, 'peer', [this.clusterId, request.brokerId, request.brokerEpoch ?? null, this.brokerId, nonce, peerNonce]);
    if (!proofMatches(expected, request.proof)) return null;
    return request.brokerEpoch === undefined ? { brokerId: request.brokerId } : { brokerId: request.brokerId, brokerEpoch: request.brokerEpoch };
  }

  // ---- peer half ----

  /** Checks that the server is a broker of this cluster, then answers its nonce. */
  answer(peerNonce: string, res: BrokerChallengeResponse): BrokerAuthenticateRequest {
    const secret = this.requireSecret();
    const expected = interBrokerProof(secret, 'server', [this.clusterId, res.brokerId, res.nonce, peerNonce]);
    if (res.clusterId !== this.clusterId || !proofMatches(expected, res.proof)) {
      throw TributaryError.of(
        'CLUSTER_AUTHORIZATION_FAILED',
        `broker ${res.brokerId} of cluster '${res.clusterId}' could not prove it holds this cluster's inter-broker secret`,
      );
    }
    const proof = interBrokerProof(secret, 'peer', [this.clusterId, this.brokerId, this.brokerEpoch ?? null, res.brokerId, res.nonce, peerNonce]);
    return this.brokerEpoch === undefined ? { brokerId: this.brokerId, proof } : { brokerId: this.brokerId, brokerEpoch: this.brokerEpoch, proof };
  }

  private useSecret(secret: string, source: SecretSource['source']): void {
    this.secret = Buffer.from(secret, 'utf8');
    this.sourceInfo = { source, fingerprint: secretFingerprint(this.secret) };
  }

  private requireSecret(): Buffer {
    if (!this.secret) throw TributaryError.of('BROKER_NOT_AVAILABLE', `broker ${this.brokerId} is still starting`);
    return this.secret;
  }
}
