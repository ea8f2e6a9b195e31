/** A Lua script with its key count: every multi-key change is one of these, so it is atomic. */
export interface LuaScript {
  readonly name: string;
  readonly numberOfKeys: number;
  readonly lua: string;
}
