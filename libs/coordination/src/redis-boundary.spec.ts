import * as fs from 'fs';
import * as path from 'path';
import Redis from 'ioredis';
import * as coordination from './index';

/**
 * Issue 10's boundary: libs/coordination owns every Redis key and command. Outside it, no
 * product source imports ioredis; inside it, only the store implementations do. Specs are
 * tests and may talk to Redis directly (to look behind a store's back), as may test/ and the
 * bench (apps/cli).
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const IMPORTS_IOREDIS = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)['"]ioredis(?:\/[^'"]*)?['"]/m;

/** the only files of libs/coordination that hold a Redis connection */
const STORE_IMPLEMENTATIONS = [
  'store/redis-connection.ts',
  'store/script-runner.ts',
  'store/cluster-store.ts',
  'store/change-feed.ts',
  'store/redis-health.ts',
  'replication/replication-streams.ts',
  'group/group-store.ts',
  'jobs/bullmq-job-queue.ts',
  'store/quota-store.ts',
  'store/security-store.ts',
  // spec support only (imported by store specs, not exported from index.ts): it deletes a spec's keys
  'testing/scratch-cluster.ts',
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...sourceFiles(full));
    } else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

const importers = (dir: string): string[] =>
  sourceFiles(path.join(ROOT, dir))
    .filter((f) => IMPORTS_IOREDIS.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(ROOT, f));

describe('the Redis boundary', () => {
  it('finds an import of ioredis when there is one (the check itself can fail)', () => {
    expect(IMPORTS_IOREDIS.test("import type Redis from 'ioredis';")).toBe(true);
    expect(IMPORTS_IOREDIS.test('const R = require("ioredis");')).toBe(true);
    expect(IMPORTS_IOREDIS.test("await import('ioredis/built/Redis')")).toBe(true);
    expect(IMPORTS_IOREDIS.test("import 'ioredis';")).toBe(true);
    expect(IMPORTS_IOREDIS.test("import { Keys } from '@tributary/coordination'; // not ioredis")).toBe(false);
    expect(importers('libs/coordination/src').length).toBeGreaterThan(0);
  });

  it.each(['libs/broker', 'libs/nestjs', 'apps/broker', 'libs/client', 'libs/protocol', 'libs/log'])('no source file in %s imports ioredis', (dir) => {
    expect(importers(dir)).toEqual([]);
  });

  it('in libs/coordination only the store implementations import ioredis', () => {
    const allowed = new Set(STORE_IMPLEMENTATIONS.map((f) => path.join('libs/coordination/src', f)));
    expect(importers('libs/coordination').filter((f) => !allowed.has(f))).toEqual([]);
  });

  it('exports no Redis client, connection maker or store constructor, and hands out no connection', async () => {
    expect(Object.keys(coordination).sort()).toEqual([
      'Coordination',
      'CoordinationUnavailableError',
      'Keys',
      'MetadataCache',
      'assignReplicas',
      'reasonOf',
      'silentLogger',
    ]);
    const opened = coordination.Coordination.connect({ redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', cluster: `boundary-${process.pid}` });
    try {
      const handedOut: object[] = [
        opened,
        opened.store,
        opened.groups,
        opened.quotas,
        opened.streams,
        opened.health,
        opened.security,
        opened.feed,
        opened.jobs,
        opened.streams.reader(),
      ];
      // what a caller can reach: own properties, and their own properties one level down
      const reachable = handedOut.flatMap((o) =>
        Object.values(o).flatMap((v: unknown) => (v !== null && typeof v === 'object' ? [v, ...Object.values(v)] : [v])),
      );
      expect(reachable.filter((v) => v instanceof Redis)).toEqual([]);
      // the check can fail: a plain object holding a connection is caught
      const leaky = { redis: new Redis({ lazyConnect: true }) };
      expect(Object.values(leaky).filter((v) => v instanceof Redis)).toHaveLength(1);
      leaky.redis.disconnect();
    } finally {
      await opened.close();
    }
  });
});
