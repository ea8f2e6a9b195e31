import type Redis from 'ioredis';
import type { AclBinding, ScramCredentialWire, ScramMechanism } from '@tributary/protocol';
import type { Keys } from '../keys';
import type { ScriptRunner } from './script-runner';

/** A user as Redis holds it: per mechanism, RFC 5802's salted keys (base64). Never a password. */
export interface StoredUser {
  name: string;
  credentials: Partial<Record<ScramMechanism, ScramCredentialWire>>;
}

/** Users and ACLs: what brokers authenticate and authorize against. Every change is a Lua script that also announces it. */
export interface SecurityStore {
  user(name: string): Promise<StoredUser | null>;
  users(): Promise<StoredUser[]>;
  /** true when the user is new */
  saveUser(user: StoredUser): Promise<boolean>;
  /** false when there was no such user */
  deleteUser(name: string): Promise<boolean>;
  acls(): Promise<AclBinding[]>;
  /** how many of them were new */
  createAcls(acls: readonly AclBinding[]): Promise<number>;
  /** the ones that were present and are gone now */
  deleteAcls(acls: readonly AclBinding[]): Promise<AclBinding[]>;
}

/** One key per distinct ACL, so adding the same ACL twice stores it once. */
export function aclKey(a: AclBinding): string {
  return JSON.stringify([a.principal, a.host, a.resourceType, a.patternType, a.resourceName, a.operation, a.permission]);
}

export class RedisSecurityStore implements SecurityStore {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #scripts: ScriptRunner;

  constructor(redis: Redis, keys: Keys, scripts: ScriptRunner) {
    this.#redis = redis;
    this.#keys = keys;
    this.#scripts = scripts;
  }

  async user(name: string): Promise<StoredUser | null> {
    const raw = await this.#redis.hget(this.#keys.users, name);
    return raw === null ? null : (JSON.parse(raw) as StoredUser);
  }

  async users(): Promise<StoredUser[]> {
    const raw = await this.#redis.hgetall(this.#keys.users);
    return Object.values(raw)
      .map((v) => JSON.parse(v) as StoredUser)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async saveUser(user: StoredUser): Promise<boolean> {
    return Number(await this.#scripts.run('saveUser', [this.#keys.users, this.#keys.changes], [user.name, JSON.stringify(user)])) === 1;
  }

  async deleteUser(name: string): Promise<boolean> {
    return Number(await this.#scripts.run('deleteUser', [this.#keys.users, this.#keys.changes], [name])) === 1;
  }

  async acls(): Promise<AclBinding[]> {
    const raw = await this.#redis.hgetall(this.#keys.acls);
    return Object.values(raw).map((v) => JSON.parse(v) as AclBinding);
  }

  async createAcls(acls: readonly AclBinding[]): Promise<number> {
    if (acls.length === 0) return 0;
    const args = acls.flatMap((a) => [aclKey(a), JSON.stringify(a)]);
    return Number(await this.#scripts.run('createAcls', [this.#keys.acls, this.#keys.changes], args));
  }

  async deleteAcls(acls: readonly AclBinding[]): Promise<AclBinding[]> {
    if (acls.length === 0) return [];
    const byKey = new Map(acls.map((a) => [aclKey(a), a]));
    const deleted = (await this.#scripts.run('deleteAcls', [this.#keys.acls, this.#keys.changes], [...byKey.keys()])) as string[] | null;
    return (deleted ?? []).flatMap((k) => byKey.get(k) ?? []);
  }
}
