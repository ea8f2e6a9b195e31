/**
 * Where a sampled function lives, by the layers issue 5 asks to see: transport
 * (socket.io/engine.io/ws), the record codec, the log and the file system, Redis, request
 * validation (zod), the framework (Nest), and the broker's own code.
 */
export const IDLE = '(idle)';
export const GC = 'garbage collector';
export const NODE_INTERNALS = 'node internals (net, streams, buffers, timers)';
export const NATIVE = 'native, no JS caller';

const LAYERS: Array<{ bucket: string; test: (url: string) => boolean }> = [
  {
    bucket: 'socket.io / engine.io / ws',
    test: (u) => /node_modules\/(socket\.io[^/]*|engine\.io[^/]*|@socket\.io\/[^/]+|ws|bufferutil|utf-8-validate)\//.test(u),
  },
  { bucket: 'protocol codec (libs/protocol, crc-32)', test: (u) => u.includes('/libs/protocol/') || u.includes('node_modules/crc-32/') },
  { bucket: 'libs/log + fs', test: (u) => u.includes('/libs/log/') || u === 'node:fs' || u.startsWith('node:internal/fs') },
  { bucket: 'ioredis', test: (u) => /node_modules\/(ioredis|@ioredis\/[^/]+|redis-parser|redis-errors|denque|cluster-key-slot)\//.test(u) },
  { bucket: 'zod (request validation)', test: (u) => u.includes('node_modules/zod/') },
  { bucket: 'nest (@nestjs, rxjs)', test: (u) => /node_modules\/(@nestjs\/[^/]+|rxjs|reflect-metadata|iterare)\//.test(u) },
  { bucket: 'broker (libs/broker, libs/nestjs, libs/coordination)', test: (u) => /\/libs\/(broker|nestjs|coordination)\//.test(u) },
  { bucket: 'client SDK (libs/client)', test: (u) => u.includes('/libs/client/') },
  { bucket: 'other packages', test: (u) => u.includes('node_modules/') },
];

/** The layer a frame belongs to by its own location, or undefined for node internals and native code. */
export function layerOf(url: string): string | undefined {
  for (const l of LAYERS) if (l.test(url)) return l.bucket;
  return undefined;
}

/** Buckets for frames that belong to no layer of their own. */
export function fallbackBucket(url: string, functionName: string): string {
  if (functionName === '(idle)') return IDLE;
  if (functionName === '(garbage collector)') return GC;
  if (url.startsWith('node:')) return NODE_INTERNALS;
  return NATIVE;
}

/** A short, stable location: the path inside the repo or below node_modules. */
export function shortLocation(url: string, lineNumber: number): string {
  if (!url) return '(native)';
  let u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) u = u.slice(nm + 'node_modules/'.length);
  else {
    const dist = u.indexOf('/dist/');
    if (dist >= 0) u = u.slice(dist + '/dist/'.length);
  }
  return `${u}:${lineNumber + 1}`;
}
