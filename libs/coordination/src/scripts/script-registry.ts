import * as fs from 'fs';
import * as path from 'path';

/**
 * Every Lua script the cluster runs, by file name under ../lua. A name listed here without a
 * file (or a file not listed) fails the first load, so the two cannot drift apart.
 */
export const SCRIPT_NAMES = [
  'claimBrokerId',
  'renewBrokerId',
  'releaseBrokerId',
  'liveBrokers',
  'acquireController',
  'releaseController',
  'createTopic',
  'updateTopic',
  'addPartitions',
  'deleteTopic',
  'clearTopicTombstone',
  'alterClientQuota',
  'renewLeaderLease',
  'claimLeadership',
  'updateIsr',
  'acquireGroupLease',
  'releaseGroupLease',
  'saveGroup',
  'commitGroupOffsets',
  'deleteGroup',
  'saveUser',
  'deleteUser',
  'createAcls',
  'deleteAcls',
  'initProducerId',
  'beginReassignment',
  'completeReassignment',
  'electLeader',
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** A Lua script with its key count: every multi-key change is one of these, so it is atomic. */
export interface LuaScript {
  readonly name: ScriptName;
  /** null: variadic, the caller says how many KEYS each call passes */
  readonly numberOfKeys: number | null;
  /** the source with its includes inserted */
  readonly lua: string;
}

/**
 * `name-<numKeys>.lua` fixes the key count (BullMQ's convention); `name.lua` is variadic.
 * `--- @include "fragment"` lines are replaced by includes/fragment.lua, each at most once per
 * script, so fragments can define local functions that scripts share.
 */
const FILE_NAME = /^([A-Za-z][A-Za-z0-9]*)(?:-(\d+))?\.lua$/;
const INCLUDE = /^--- @include "([A-Za-z0-9_-]+)"\s*$/gm;

/**
 * The directory holding the .lua files: beside this module's directory in the source tree
 * (ts-jest) and in dist, where the build copies them (package.json "build").
 */
export function luaDirectory(): string {
  return path.resolve(__dirname, '..', 'lua');
}

let loaded: ReadonlyMap<ScriptName, LuaScript> | null = null;

/** Loads (once per process) and returns every script, includes resolved. Throws naming what is missing. */
export function loadScripts(dir = luaDirectory()): ReadonlyMap<ScriptName, LuaScript> {
  if (loaded && dir === luaDirectory()) return loaded;
  if (!fs.existsSync(dir)) throw new Error(`Lua scripts not found at ${dir} (the build must copy libs/coordination/src/lua there)`);
  const known = new Set<string>(SCRIPT_NAMES);
  const scripts = new Map<ScriptName, LuaScript>();
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith('.lua')) continue;
    const m = FILE_NAME.exec(file);
    if (!m || !known.has(m[1])) throw new Error(`unexpected Lua script ${path.join(dir, file)}: not named <script>-<numKeys>.lua for a script in SCRIPT_NAMES`);
    const name = m[1] as ScriptName;
    if (scripts.has(name)) throw new Error(`Lua script ${name} is defined twice in ${dir}`);
    const lua = resolveIncludes(fs.readFileSync(path.join(dir, file), 'utf8'), path.join(dir, 'includes'), new Set(), [file]);
    scripts.set(name, { name, numberOfKeys: m[2] === undefined ? null : Number(m[2]), lua });
  }
  const missing = SCRIPT_NAMES.filter((n) => !scripts.has(n));
  if (missing.length > 0) throw new Error(`Lua scripts missing from ${dir}: ${missing.join(', ')}`);
  if (dir === luaDirectory()) loaded = scripts;
  return scripts;
}

function resolveIncludes(source: string, includeDir: string, seen: Set<string>, chain: string[]): string {
  return source.replace(INCLUDE, (_line, fragment: string) => {
    if (chain.includes(fragment)) throw new Error(`Lua include cycle: ${[...chain, fragment].join(' -> ')}`);
    if (seen.has(fragment)) return '';
    seen.add(fragment);
    const file = path.join(includeDir, `${fragment}.lua`);
    if (!fs.existsSync(file)) throw new Error(`Lua include "${fragment}" (in ${chain[0]}) not found at ${file}`);
    return resolveIncludes(fs.readFileSync(file, 'utf8'), includeDir, seen, [...chain, fragment]);
  });
}
