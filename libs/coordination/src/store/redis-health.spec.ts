import { TcpProxy } from '../../../../test/support/tcp-proxy';
import { connectRedis } from './redis-connection';
import { RedisHealth } from './redis-health';

const REDIS_PORT = Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RedisHealth (real Redis behind a TCP proxy)', () => {
  it.each(['blackhole', 'reset'] as const)(
    'stops calling the view current within about its stale time when the link is cut (%s), and again once it heals',
    async (mode) => {
      const proxy = await TcpProxy.start(REDIS_PORT);
      const redis = connectRedis(proxy.redisUrl);
      redis.on('error', () => undefined);
      const health = new RedisHealth(redis, 600, 100);
      try {
        await health.start();
        expect(health.isCurrent()).toBe(true);
        if (mode === 'blackhole') proxy.blackhole();
        else proxy.reset();
        const cutAt = Date.now();
        while (health.isCurrent() && Date.now() - cutAt < 5000) await sleep(20);
        const noticedAfter = Date.now() - cutAt;
        expect(health.isCurrent()).toBe(false);
        // a blackholed link still looks 'ready' to ioredis: only the missing round trips tell.
        // Stale time 600 ms; the bound leaves room for a loaded machine's late timers.
        process.stdout.write(`redis-health (${mode}): not current ${noticedAfter} ms after the cut\n`);
        expect(noticedAfter).toBeLessThan(2000);
        proxy.pass();
        const healedAt = Date.now();
        while (!health.isCurrent() && Date.now() - healedAt < 10_000) await sleep(20);
        expect(health.isCurrent()).toBe(true);
      } finally {
        health.stop();
        redis.disconnect();
        await proxy.close();
      }
    },
  );
});
