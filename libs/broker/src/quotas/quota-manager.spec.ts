import type { QuotaEntity, QuotaValues } from '@tributary/protocol';
import { QuotaManager, type QuotaOverrides } from './quota-manager';
import { MAX_THROTTLE_MS, RateSensor, throttleMs } from './rate-sensor';
import { ConnectionRateLimiter } from './connection-rate';

function memoryStore(entries: Array<{ entity: QuotaEntity; values: QuotaValues }>): QuotaOverrides {
  return {
    list: () => Promise.resolve(entries),
    alter: () => Promise.resolve({}),
  };
}

const quiet = { warn: () => undefined };

describe('RateSensor and throttleMs (Kafka: delay = (O - T) / T * W)', () => {
  it('throttles for as long as it takes the windowed rate to fall back to the quota', () => {
    expect(throttleMs(1000, 1000, 1000)).toBe(0); // at the quota
    expect(throttleMs(3000, 1000, 1000)).toBe(2000); // three times over one second: two seconds of silence
    expect(throttleMs(10_000_000, 1000, 1)).toBe(MAX_THROTTLE_MS); // capped, as Kafka caps at its window
  });

  it('lets about one second of quota through at once, then holds a steady sender to the quota', () => {
    const s = new RateSensor();
    expect(s.record(1000, 1000, 0)).toBe(0);
    expect(s.record(1000, 1000, 10)).toBe(1000);
    // a sender that waits out each throttle stays at the quota
    let now = 10 + 1000;
    let sent = 2000;
    while (now < 20_000) {
      now += s.record(500, 1000, now) || 1;
      sent += 500;
    }
    expect(sent / (now / 1000)).toBeGreaterThan(900);
    expect(sent / (now / 1000)).toBeLessThan(1150);
  });
});

describe('QuotaManager', () => {
  it('resolves each rate to the most specific override: user + client id, user, client id, then the default', async () => {
    const m = new QuotaManager(
      { producerByteRate: 100, requestRate: 10 },
      memoryStore([
        { entity: { principal: 'User:alice', clientId: 'app' }, values: { producerByteRate: 1 } },
        { entity: { principal: 'User:alice' }, values: { producerByteRate: 2, consumerByteRate: 20 } },
        { entity: { clientId: 'app' }, values: { producerByteRate: 3, requestRate: 30 } },
      ]),
      quiet,
    );
    await m.start();
    m.stop();
    expect(m.quotasFor('User:alice', 'app')).toEqual({ producerByteRate: 1, consumerByteRate: 20, requestRate: 30 });
    expect(m.quotasFor('User:alice', 'other')).toEqual({ producerByteRate: 2, consumerByteRate: 20, requestRate: 10 });
    expect(m.quotasFor('User:bob', 'app')).toEqual({ producerByteRate: 3, requestRate: 30 });
    expect(m.quotasFor('User:bob', 'other')).toEqual({ producerByteRate: 100, requestRate: 10 });
  });

  it('measures connections of one principal and client id together, and leaves unlimited ones alone', async () => {
    const m = new QuotaManager({ requestRate: 2 }, memoryStore([]), quiet);
    await m.start();
    m.stop();
    expect(m.record('requestRate', 'User:a', 'x', 1, 0)).toBe(0);
    expect(m.record('requestRate', 'User:a', 'x', 1, 1)).toBe(0);
    expect(m.record('requestRate', 'User:a', 'x', 1, 2)).toBeGreaterThan(0); // a third request within the second
    expect(m.record('requestRate', 'User:b', 'x', 1, 3)).toBe(0); // another principal: its own sensor
    expect(m.record('producerByteRate', 'User:a', 'x', 1e9, 4)).toBe(0); // no byte quota set
  });

  it('keeps the last overrides when Redis cannot be read, and says so once', async () => {
    const warnings: string[] = [];
    let fail = false;
    const store: QuotaOverrides = {
      list: () => (fail ? Promise.reject(new Error('down')) : Promise.resolve([{ entity: { clientId: 'c' }, values: { requestRate: 7 } }])),
      alter: () => Promise.resolve({}),
    };
    const m = new QuotaManager({}, store, { warn: (w) => warnings.push(w) });
    await m.start();
    m.stop();
    fail = true;
    await m.alter([]);
    await m.alter([]);
    expect(m.quotasFor('User:x', 'c')).toEqual({ requestRate: 7 });
    expect(warnings).toHaveLength(1);
  });
});

describe('ConnectionRateLimiter', () => {
  it('admits `perSecond` connections per IP in any second, and others IPs apart', () => {
    const l = new ConnectionRateLimiter(2);
    expect([l.tryAcquire('a', 0), l.tryAcquire('a', 10), l.tryAcquire('a', 20)]).toEqual([true, true, false]);
    expect(l.tryAcquire('b', 30)).toBe(true);
    expect(l.tryAcquire('a', 1005)).toBe(true); // the first one is a second old
    expect(l.tryAcquire('a', 1006)).toBe(false);
  });
});
