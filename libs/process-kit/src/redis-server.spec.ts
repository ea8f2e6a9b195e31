import * as fs from 'fs';
import * as net from 'net';
import Redis from 'ioredis';
import { freePort } from './free-port';
import { redisAnswers } from './redis-probe';
import { RedisServer } from './redis-server';

describe('RedisServer', () => {
  it('keeps AOF data across a restart on the same port and removes its temp dir on destroy', async () => {
    const server = await RedisServer.start({ appendOnly: true });
    try {
      const c = new Redis(server.url, { maxRetriesPerRequest: 1 });
      await c.set('k', 'v');
      c.disconnect();
      await server.restart();
      const d = new Redis(server.url, { maxRetriesPerRequest: 1 });
      expect(await d.get('k')).toBe('v');
      d.disconnect();
    } finally {
      await server.destroy();
    }
    expect(fs.existsSync(server.dir)).toBe(false);
    expect(await redisAnswers(server.url)).toBe(false);
  });

  it('fails fast, with redis-server output, when its port is taken', async () => {
    const port = await freePort();
    const squatter = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    try {
      const t0 = performance.now();
      await expect(RedisServer.start({ port, startTimeoutMs: 60_000 })).rejects.toThrow(/redis-server exited unexpectedly/);
      expect(performance.now() - t0).toBeLessThan(30_000);
    } finally {
      squatter.close();
    }
  });
});
