import { QuotaManager } from '@tributary/broker';
import { Events } from '@tributary/protocol';
import type { Socket } from 'socket.io';
import { BROKER_PRINCIPAL } from './connection-principal';
import { QuotaThrottle } from './quota-throttle';

function socketOf(auth: Record<string, unknown>, principal?: string): Socket {
  return { handshake: { auth }, data: principal ? { principal } : {} } as unknown as Socket;
}

describe('QuotaThrottle', () => {
  let quotas: QuotaManager;
  let throttle: QuotaThrottle;

  beforeEach(async () => {
    quotas = new QuotaManager(
      { producerByteRate: 1000, consumerByteRate: 1000 },
      { list: () => Promise.resolve([]), alter: () => Promise.resolve({}) },
      { warn: () => undefined },
    );
    await quotas.start();
    quotas.stop();
    throttle = new QuotaThrottle(quotas);
  });

  it('measures produce request bytes and fetch response bytes, and sets throttleTimeMs on the answer over a quota', () => {
    const s = socketOf({ clientId: 'app' });
    const produced: Record<string, unknown> = { errorCode: 0 };
    expect(throttle.begin(s, [Events.produce, { data: new Uint8Array(3000) }])?.finish(produced)).toBeGreaterThan(1500);
    expect(produced.throttleTimeMs).toBeGreaterThan(1500);
    const fetched: Record<string, unknown> = { errorCode: 0, records: new Uint8Array(500) };
    expect(throttle.begin(s, [Events.fetch, { partitions: [] }])?.finish(fetched)).toBe(0); // its own quota, under it
    const more: Record<string, unknown> = { errorCode: 0, records: new Uint8Array(2000) };
    expect(throttle.begin(s, [Events.fetch, { partitions: [] }])?.finish(more)).toBeGreaterThan(1000);
    expect(more.throttleTimeMs).toBeGreaterThan(1000);
  });

  it('never meters a proven broker (replica fetches included) or the inter-broker handshake', () => {
    expect(throttle.begin(socketOf({}, BROKER_PRINCIPAL), [Events.fetch, { replicaId: 2 }])).toBeNull();
    expect(throttle.begin(socketOf({}, BROKER_PRINCIPAL), [Events.offsetForLeaderEpoch, { replicaId: 2 }])).toBeNull();
    expect(throttle.begin(socketOf({}), [Events.brokerChallenge, {}])).toBeNull();
    expect(throttle.begin(socketOf({}, BROKER_PRINCIPAL), [Events.produce, { data: new Uint8Array(10) }])).toBeNull();
  });

  it('meters a client that claims to be a replica: the claim is refused later, and exempts nothing', () => {
    const s = socketOf({ clientId: 'app' }, 'User:alice');
    for (const packet of [
      [Events.fetch, { replicaId: 2, partitions: [] }],
      [Events.offsetForLeaderEpoch, { replicaId: 2 }],
    ]) {
      const meter = throttle.begin(s, packet);
      expect(meter).not.toBeNull();
      expect(meter?.finish({ errorCode: 0 })).toBe(0);
    }
  });

  it('reads the client id and whether the client throttles itself from the handshake', () => {
    expect(QuotaThrottle.clientIdOf(socketOf({ clientId: 'x' }))).toBe('x');
    expect(QuotaThrottle.clientIdOf(socketOf({}))).toBe('');
    expect(QuotaThrottle.throttlesItself(socketOf({ throttleAware: true }))).toBe(true);
    expect(QuotaThrottle.throttlesItself(socketOf({ throttleAware: 'yes' }))).toBe(false);
  });
});
