import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Redis from 'ioredis';
import { RedisServer } from '../../../../test/support/redis-server';
import { Keys } from '../keys';
import { ScriptRunner } from '../store/script-runner';
import { loadScripts, luaDirectory, SCRIPT_NAMES } from './script-registry';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const scriptFiles = () => fs.readdirSync(luaDirectory()).filter((f) => f.endsWith('.lua'));
const read = (file: string) => fs.readFileSync(path.join(luaDirectory(), file), 'utf8');
/** the body: the source without its header comment */
const bodyOf = (source: string) => source.replace(/^--\[\[[\s\S]*?\]\]\n/, '');

describe('Lua script files', () => {
  it('are one file per script, named name-<numKeys>.lua (or name.lua when variadic)', () => {
    const names = scriptFiles().map((f) => /^([A-Za-z0-9]+)(?:-\d+)?\.lua$/.exec(f)?.[1]);
    expect(names.sort()).toEqual([...SCRIPT_NAMES].sort());
  });

  it.each(scriptFiles())('%s documents every KEYS and ARGV it uses and what it returns, and uses no key beyond its count', (file) => {
    const source = read(file);
    const header = /^--\[\[([\s\S]*?)\]\]/.exec(source)?.[1];
    expect(header).toBeDefined();
    expect(header).toMatch(/Returns /);
    const numKeys = /-(\d+)\.lua$/.exec(file)?.[1];
    const body = bodyOf(source);
    const used = (name: 'KEYS' | 'ARGV') => new Set([...body.matchAll(new RegExp(`${name}\\[(\\d+)\\]`, 'g'))].map((m) => Number(m[1])));
    for (const name of ['KEYS', 'ARGV'] as const) {
      for (const i of used(name)) expect(header).toMatch(new RegExp(`${name}\\[${i}(\\]|\\.\\.)`));
    }
    if (numKeys !== undefined) {
      const documented = [...(header ?? '').matchAll(/^\s*KEYS\[(\d+)\]/gm)].map((m) => Number(m[1]));
      expect(documented).toEqual(Array.from({ length: Number(numKeys) }, (_, i) => i + 1));
      expect(Math.max(0, ...used('KEYS'))).toBeLessThanOrEqual(Number(numKeys));
    }
  });

  it.each(scriptFiles())('%s touches only keys passed in KEYS', (file) => {
    const body = bodyOf(read(file));
    const includeFns = fs
      .readdirSync(path.join(luaDirectory(), 'includes'))
      .flatMap((f) => [...read(path.join('includes', f)).matchAll(/local function (\w+)\(/g)].map((m) => m[1]));
    // the first argument of redis.call is the command; for every command we use, the next is the key
    const keyArgs = [...body.matchAll(/redis\.call\('(\w+)',\s*([^,)]+)/g)].map((m) => m[2].trim());
    const viaIncludes = includeFns.flatMap((fn) => [...body.matchAll(new RegExp(`\\b${fn}\\(([^,)]+)`, 'g'))].map((m) => m[1].trim()));
    for (const arg of [...keyArgs, ...viaIncludes]) expect(arg).toMatch(/^KEYS\[(\d+|i \+ 2)\]$/);
    expect(keyArgs.length + viaIncludes.length).toBeGreaterThan(0);
  });

  it('includes define functions that take their keys as parameters, never build one', () => {
    for (const f of fs.readdirSync(path.join(luaDirectory(), 'includes'))) {
      const source = read(path.join('includes', f));
      const params = new Set([...source.matchAll(/local function \w+\(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((p) => p.trim())));
      for (const m of source.matchAll(/redis\.call\('(\w+)',\s*([^,)]+)/g)) expect(params.has(m[2].trim())).toBe(true);
    }
  });
});

describe('script registry', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lua-registry-'));
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const copyAll = () => fs.cpSync(luaDirectory(), scratch, { recursive: true });

  it('inserts each include once, where asked, and leaves no directive behind', () => {
    const scripts = loadScripts();
    expect(scripts.size).toBe(SCRIPT_NAMES.length);
    const claim = scripts.get('claimLeadership')?.lua ?? '';
    expect(claim).not.toContain('@include');
    expect(claim.match(/local function publishChange\(/g)).toHaveLength(1);
    expect(claim.match(/local function brokerEpochIs\(/g)).toHaveLength(1);
    expect(scripts.get('claimLeadership')?.numberOfKeys).toBe(5);
    expect(scripts.get('liveBrokers')?.numberOfKeys).toBeNull();
  });

  it('refuses to start without every script, naming what is missing', () => {
    copyAll();
    fs.rmSync(path.join(scratch, 'updateIsr-3.lua'));
    expect(() => loadScripts(scratch)).toThrow(/missing .*: updateIsr/);
  });

  it('refuses an unknown include, a stray file and a missing directory', () => {
    copyAll();
    fs.writeFileSync(path.join(scratch, 'saveGroup-3.lua'), '--- @include "nope"\nreturn 1\n');
    expect(() => loadScripts(scratch)).toThrow(/include "nope" \(in saveGroup-3.lua\) not found/);
    copyAll();
    fs.writeFileSync(path.join(scratch, 'mystery-2.lua'), 'return 1\n');
    expect(() => loadScripts(scratch)).toThrow(/unexpected Lua script .*mystery-2.lua/);
    expect(() => loadScripts(path.join(scratch, 'absent'))).toThrow(/Lua scripts not found/);
  });

  it('every script compiles in Redis', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      for (const s of loadScripts().values()) expect(await redis.script('LOAD', s.lua)).toMatch(/^[0-9a-f]{40}$/);
    } finally {
      redis.disconnect();
    }
  });
});

describe('script runner (real Redis)', () => {
  it('refuses a key count other than the script file declares, before sending anything', () => {
    const redis = new Redis({ lazyConnect: true });
    const runner = new ScriptRunner(redis);
    expect(() => runner.run('updateIsr', ['a', 'b'], [])).toThrow('Lua script updateIsr takes 3 keys, was given 2');
    redis.disconnect();
  });

  it('keeps working after Redis forgets its scripts (EVALSHA falls back to EVAL)', async () => {
    const server = await RedisServer.start();
    const redis = new Redis(server.url);
    try {
      const keys = new Keys('runner');
      const runner = new ScriptRunner(redis);
      const acquire = () => runner.run('acquireController', [keys.controller, keys.controllerEpoch, keys.changes], [1, 5000]);
      expect(await acquire()).toBe(1);
      await redis.script('FLUSH');
      expect(await acquire()).toBe(1);
      // variadic: the key count goes with each call
      expect(await runner.run('liveBrokers', [keys.brokers, keys.brokerEpochs], [])).toEqual([]);
    } finally {
      redis.disconnect();
      await server.destroy();
    }
  });
});
