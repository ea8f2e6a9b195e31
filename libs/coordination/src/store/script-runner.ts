import type Redis from 'ioredis';
import { loadScripts, type LuaScript, type ScriptName } from '../scripts/script-registry';

type ScriptArg = string | number;
type ScriptFn = (...args: ScriptArg[]) => Promise<unknown>;

/**
 * Runs the Lua scripts by name on one connection, through ioredis' defineCommand, which sends
 * EVALSHA and falls back to EVAL on NOSCRIPT: after a Redis restart the script cache is empty,
 * and this keeps working without reloading anything. Every store on a connection shares it.
 */
export class ScriptRunner {
  private readonly commands = new Map<ScriptName, { script: LuaScript; fn: ScriptFn }>();

  constructor(redis: Redis, scripts: ReadonlyMap<ScriptName, LuaScript> = loadScripts()) {
    for (const script of scripts.values()) {
      // a prefix keeps our command names clear of ioredis' own methods
      const command = `tributary_${script.name}`;
      redis.defineCommand(command, script.numberOfKeys === null ? { lua: script.lua } : { numberOfKeys: script.numberOfKeys, lua: script.lua });
      const fn = (redis as unknown as Record<string, ScriptFn>)[command];
      this.commands.set(script.name, { script, fn: fn.bind(redis) });
    }
  }

  /** Runs `name`; a key count that disagrees with the script's file name is a bug and throws before anything is sent. */
  run(name: ScriptName, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    const entry = this.commands.get(name);
    if (!entry) throw new Error(`Lua script ${name} is not registered`);
    const expected = entry.script.numberOfKeys;
    if (expected === null) return entry.fn(keys.length, ...keys, ...args);
    if (keys.length !== expected) throw new Error(`Lua script ${name} takes ${expected} keys, was given ${keys.length}`);
    return entry.fn(...keys, ...args);
  }
}
