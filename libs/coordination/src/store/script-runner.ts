import type Redis from 'ioredis';
import type { LuaScript } from '../scripts';

type ScriptArg = string | number;
type ScriptFn = (...args: ScriptArg[]) => Promise<unknown>;

/**
 * Runs our Lua scripts by name through ioredis' defineCommand, which sends EVALSHA and falls
 * back to EVAL on NOSCRIPT: after a Redis restart the script cache is empty, and this keeps
 * working without us reloading anything.
 */
export class ScriptRunner {
  private readonly commands = new Map<string, ScriptFn>();

  constructor(redis: Redis, scripts: readonly LuaScript[]) {
    for (const s of scripts) {
      redis.defineCommand(s.name, { numberOfKeys: s.numberOfKeys, lua: s.lua });
      const fn = (redis as unknown as Record<string, ScriptFn>)[s.name];
      this.commands.set(s.name, fn.bind(redis));
    }
  }

  run(script: LuaScript, keys: string[], args: ScriptArg[]): Promise<unknown> {
    const fn = this.commands.get(script.name);
    if (!fn) throw new Error(`script ${script.name} is not registered`);
    return fn(...keys, ...args);
  }
}
