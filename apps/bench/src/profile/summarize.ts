import type { ProfileSummary } from '../results';
import { fallbackBucket, GC, IDLE, layerOf, shortLocation } from './buckets';
import type { CpuProfile, CpuProfileNode } from './cpuprofile';

const TOP_FUNCTIONS = 20;

/** Microseconds since the profile's start; samples outside are left out (e.g. broker start-up). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/**
 * Self time per function and per layer. Each sample's time is the delta to the next sample
 * (as Chrome DevTools counts it). Node internals and native code (a socket write, Buffer
 * copies, fs calls) are charged to the nearest caller that belongs to a layer, so "ws" or
 * "libs/log + fs" include the system work they asked for; GC stays on its own. Idle time
 * is kept out of the percentages: they say where the busy broker spent its CPU.
 */
export function summarizeProfile(profile: CpuProfile, meta: { scenario: string; brokerId: number; file: string }, window?: ProfileWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketCache = new Map<number, string>();
  const bucketFor = (node: CpuProfileNode): string => {
    const cached = bucketCache.get(node.id);
    if (cached) return cached;
    const { url, functionName } = node.callFrame;
    let bucket = functionName === '(garbage collector)' || functionName === '(idle)' ? fallbackBucket(url, functionName) : layerOf(url);
    // bounded by the tree's depth, which is at most the number of nodes
    for (let up = parent.get(node.id), hops = 0; bucket === undefined && up !== undefined && hops < profile.nodes.length; up = parent.get(up), hops++) {
      const p = byId.get(up);
      if (p) bucket = layerOf(p.callFrame.url);
    }
    const result = bucket ?? fallbackBucket(url, functionName);
    bucketCache.set(node.id, result);
    return result;
  };

  const buckets = new Map<string, number>();
  const functions = new Map<string, { name: string; location: string; us: number; byBucket: Map<string, number> }>();
  let totalUs = 0;
  let idleUs = 0;
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (us <= 0 || (window && (t < window.fromUs || t > window.toUs))) continue;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    const bucket = bucketFor(node);
    totalUs += us;
    if (bucket === IDLE) {
      idleUs += us;
      continue;
    }
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const location = bucket === GC ? '(native)' : shortLocation(url, lineNumber);
    const key = `${name}@${location}`;
    const f = functions.get(key) ?? { name, location, us: 0, byBucket: new Map<string, number>() };
    f.us += us;
    f.byBucket.set(bucket, (f.byBucket.get(bucket) ?? 0) + us);
    functions.set(key, f);
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number): number => (busyUs > 0 ? Math.round((us / busyUs) * 1000) / 10 : 0);
  const ms = (us: number): number => Math.round(us / 100) / 10;
  const mainBucket = (byBucket: Map<string, number>): string => [...byBucket].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  return {
    ...meta,
    totalMs: ms(totalUs),
    busyMs: ms(busyUs),
    buckets: [...buckets].sort((a, b) => b[1] - a[1]).map(([bucket, us]) => ({ bucket, selfMs: ms(us), percentOfBusy: pct(us) })),
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, TOP_FUNCTIONS)
      .map((f) => ({ name: f.name, location: f.location, bucket: mainBucket(f.byBucket), selfMs: ms(f.us), percentOfBusy: pct(f.us) })),
  };
}
