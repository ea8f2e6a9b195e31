import Redis from 'ioredis';
import { Coordination } from '../coordination';
import { Keys } from '../keys';

/** The Redis the store specs run against: a real one, since the Lua scripts are what they test. */
export const SPEC_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A cluster of a spec's own in the spec Redis (see scratchCluster). */
export interface ScratchCluster {
  readonly id: string;
  readonly coordination: Coordination;
  /** Deletes every key under the cluster's prefix and closes the coordination connection. */
  drop(): Promise<void>;
}

/**
 * A fresh cluster id per test, so specs running at once (and other helpers' brokers on the
 * shared Redis) never meet; drop it in afterEach.
 */
export function scratchCluster(): ScratchCluster {
  const id = `spec-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const coordination = Coordination.connect({ redisUrl: SPEC_REDIS_URL, cluster: id });
  return {
    id,
    coordination,
    drop: async () => {
      const redis = new Redis(SPEC_REDIS_URL);
      try {
        const found = await redis.keys(`${new Keys(id).prefix}*`);
        if (found.length) await redis.del(...found);
      } finally {
        redis.disconnect();
        await coordination.close();
      }
    },
  };
}
