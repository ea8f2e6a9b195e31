import Redis from 'ioredis';
import { Coordination, Keys, type ClusterStore } from '@tributary/coordination';
import { TributaryError } from '@tributary/protocol';
import { InterBrokerAuth } from './inter-broker-auth';
import { interBrokerProof, newNonce, proofMatches } from './inter-broker-hmac';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'a-cluster-secret-of-more-than-32-characters';

/** Runs the whole handshake between a server broker and a peer broker, as the gateway and BrokerLinks do. */
function handshake(server: InterBrokerAuth, peer: InterBrokerAuth) {
  const peerNonce = newNonce();
  const { nonce, response } = server.challenge(peerNonce);
  const answer = peer.answer(peerNonce, response);
  return { nonce, peerNonce, answer, verified: server.verifyPeer(nonce, peerNonce, answer) };
}

describe('InterBrokerAuth', () => {
  it('authenticates a peer holding the same secret, as the broker id it claims', () => {
    const r = handshake(new InterBrokerAuth('c1', 1, SECRET), new InterBrokerAuth('c1', 2, SECRET));
    expect(r.verified).toEqual({ brokerId: 2 });
  });

  it('refuses a peer with another secret, and the peer refuses a server with another secret', () => {
    const server = new InterBrokerAuth('c1', 1, SECRET);
    const impostor = new InterBrokerAuth('c1', 2, `${SECRET}-but-not-quite`);
    const peerNonce = newNonce();
    const { response } = server.challenge(peerNonce);
    // the impostor cannot check the server's proof, so it stops there
    expect(() => impostor.answer(peerNonce, response)).toThrow(TributaryError);
    // and a proof it computes with its own secret does not pass
    const { nonce, response: r2 } = server.challenge(peerNonce);
    const forged = { brokerId: 2, proof: interBrokerProof(Buffer.from(`${SECRET}-but-not-quite`), 'peer', ['c1', 2, null, 1, r2.nonce, peerNonce]) };
    expect(server.verifyPeer(nonce, peerNonce, forged)).toBeNull();
  });

  it('refuses the same secret in another cluster', () => {
    expect(() => handshake(new InterBrokerAuth('c1', 1, SECRET), new InterBrokerAuth('c2', 2, SECRET))).toThrow(/could not prove/);
  });

  it('binds the proof to the broker id, the epoch and the nonce: none can be changed or replayed', () => {
    const server = new InterBrokerAuth('c1', 1, SECRET);
    const peer = new InterBrokerAuth('c1', 2, SECRET);
    peer.brokerEpoch = 7;
    const r = handshake(server, peer);
    expect(r.verified).toEqual({ brokerId: 2, brokerEpoch: 7 });
    expect(server.verifyPeer(r.nonce, r.peerNonce, { ...r.answer, brokerId: 3 })).toBeNull();
    expect(server.verifyPeer(r.nonce, r.peerNonce, { ...r.answer, brokerEpoch: 8 })).toBeNull();
    expect(server.verifyPeer(r.nonce, r.peerNonce, { brokerId: 2, proof: r.answer.proof })).toBeNull();
    // replayed against a fresh challenge
    const next = server.challenge(r.peerNonce);
    expect(server.verifyPeer(next.nonce, r.peerNonce, r.answer)).toBeNull();
  });

  it('never accepts a server proof (which anyone can ask for) as a peer proof', () => {
    const server = new InterBrokerAuth('c1', 1, SECRET);
    const peerNonce = newNonce();
    const { nonce, response } = server.challenge(peerNonce);
    expect(server.verifyPeer(nonce, peerNonce, { brokerId: 1, proof: response.proof })).toBeNull();
  });

  it('compares proofs safely whatever their shape', () => {
    const p = interBrokerProof(Buffer.from(SECRET), 'peer', ['x']);
    expect(proofMatches(p, p)).toBe(true);
    for (const bad of ['', 'zz', p.slice(0, 10), `${p}00`, p.toUpperCase()]) expect(proofMatches(p, bad)).toBe(false);
  });

  it('refuses a short secret even from a hand-built config', () => {
    expect(() => new InterBrokerAuth('c1', 1, 'short')).toThrow(/INTER_BROKER_SECRET must be at least 32/);
  });

  it('answers BROKER_NOT_AVAILABLE until it has a secret', () => {
    expect(() => new InterBrokerAuth('c1', 1, undefined).challenge(newNonce())).toThrow(expect.objectContaining({ code: 8 }));
  });

  describe('without INTER_BROKER_SECRET (real Redis)', () => {
    let coordination: Coordination;
    let store: ClusterStore;
    /** a connection of the test's own, to look at the secret's key directly */
    let redis: Redis;
    let keys: Keys;
    beforeEach(() => {
      const cluster = `spec-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      coordination = Coordination.connect({ redisUrl: REDIS_URL, cluster });
      store = coordination.store;
      redis = new Redis(REDIS_URL);
      keys = new Keys(cluster);
    });
    afterEach(async () => {
      await redis.del(keys.interBrokerSecret);
      redis.disconnect();
      await coordination.close();
    });

    it('makes one secret per cluster in Redis, which every broker then uses', async () => {
      const brokers = [1, 2, 3].map((id) => new InterBrokerAuth(store.cluster, id, undefined));
      const sources = await Promise.all(brokers.map((b) => b.start((c) => store.ensureInterBrokerSecret(c))));
      expect(sources.filter((s) => s.source === 'coordination Redis (created now)')).toHaveLength(1);
      expect(new Set(sources.map((s) => s.fingerprint)).size).toBe(1);
      expect((await redis.get(keys.interBrokerSecret))?.length).toBeGreaterThanOrEqual(32);
      expect(handshake(brokers[0], brokers[2]).verified).toEqual({ brokerId: 3 });
    });

    it('keeps a configured secret and leaves Redis alone', async () => {
      const b = new InterBrokerAuth(store.cluster, 1, SECRET);
      expect((await b.start((c) => store.ensureInterBrokerSecret(c))).source).toBe('INTER_BROKER_SECRET');
      expect(await redis.get(keys.interBrokerSecret)).toBeNull();
    });
  });
});
