import type Redis from 'ioredis';
import { ErrorCode, type CommittedOffset, type OffsetCommitPartition } from '@tributary/protocol';
import type { Keys } from '../keys';
import type { ScriptRunner } from '../store/script-runner';
import { GroupKeys } from './group-keys';
import type { StoredGroup, StoredOffset } from './group-types';

/** What commitGroupOffsets.lua answers, and the wire error code each one is: the script knows no codes. */
const COMMIT_RESULT_CODES = {
  ok: ErrorCode.NONE,
  'not-coordinator': ErrorCode.NOT_COORDINATOR,
  'illegal-generation': ErrorCode.ILLEGAL_GENERATION,
  'unknown-member': ErrorCode.UNKNOWN_MEMBER_ID,
  'fenced-member': ErrorCode.FENCED_MEMBER_EPOCH,
} as const;

/** What deleteGroup.lua answers, as wire error codes. */
const DELETE_RESULT_CODES: Record<string, number> = {
  ok: ErrorCode.NONE,
  'not-coordinator': ErrorCode.NOT_COORDINATOR,
  'non-empty': ErrorCode.NON_EMPTY_GROUP,
  'not-found': ErrorCode.GROUP_ID_NOT_FOUND,
};

function isCommitResult(r: string): r is keyof typeof COMMIT_RESULT_CODES {
  return Object.prototype.hasOwnProperty.call(COMMIT_RESULT_CODES, r);
}

export interface GroupCommit {
  brokerId: number;
  groupId: string;
  generationId: number;
  memberId: string;
  offsets: readonly OffsetCommitPartition[];
}

/**
 * Consumer-group state in Redis: the coordinator lease, each group's generation, members and
 * assignment, and committed offsets. Writes are fenced by the lease inside Lua, so only the
 * current coordinator changes a group.
 */
export class GroupStore {
  // True private fields (not just TypeScript's): nothing outside reaches Redis through a store.
  readonly #redis: Redis;
  readonly #keys: GroupKeys;
  readonly #scripts: ScriptRunner;

  /** Made by Coordination.connect, which owns (and closes) the connection. */
  constructor(redis: Redis, keys: Keys, scripts: ScriptRunner) {
    this.#redis = redis;
    this.#keys = new GroupKeys(keys);
    this.#scripts = scripts;
  }

  async acquireLease(groupId: string, brokerId: number, ttlMs: number): Promise<boolean> {
    return (await this.#scripts.run('acquireGroupLease', [this.#keys.lease(groupId)], [brokerId, ttlMs])) === 1;
  }

  async releaseLease(groupId: string, brokerId: number): Promise<void> {
    await this.#scripts.run('releaseGroupLease', [this.#keys.lease(groupId)], [brokerId]);
  }

  /** The broker holding the group's lease, or -1. */
  async leaseHolder(groupId: string): Promise<number> {
    const v = await this.#redis.get(this.#keys.lease(groupId));
    return v === null ? -1 : Number(v);
  }

  async load(groupId: string): Promise<StoredGroup | null> {
    const raw = await this.#redis.get(this.#keys.group(groupId));
    return raw === null ? null : (JSON.parse(raw) as StoredGroup);
  }

  /** false when this broker no longer holds the lease: the caller must stop coordinating. */
  async save(brokerId: number, group: StoredGroup): Promise<boolean> {
    const k = this.#keys;
    const result = await this.#scripts.run(
      'saveGroup',
      [k.lease(group.groupId), k.group(group.groupId), k.groups],
      [brokerId, group.groupId, JSON.stringify(group)],
    );
    return result === 1;
  }

  /** Returns a wire error code: NONE, NOT_COORDINATOR, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID or FENCED_MEMBER_EPOCH. */
  async commit(c: GroupCommit): Promise<number> {
    const k = this.#keys;
    const now = Date.now();
    const pairs = c.offsets.flatMap((o) => [
      `${o.topic}:${o.partition}`,
      JSON.stringify({ offset: o.offset, metadata: o.metadata ?? '', commitTimestamp: now } satisfies StoredOffset),
    ]);
    const result = await this.#scripts.run(
      'commitGroupOffsets',
      [k.lease(c.groupId), k.group(c.groupId), k.offsets(c.groupId), k.groups],
      [c.brokerId, c.groupId, c.generationId, c.memberId, ...pairs],
    );
    return typeof result === 'string' && isCommitResult(result) ? COMMIT_RESULT_CODES[result] : ErrorCode.UNKNOWN_SERVER_ERROR;
  }

  /** Deletes an empty group's state and offsets; a wire error code: NONE, NOT_COORDINATOR, NON_EMPTY_GROUP or GROUP_ID_NOT_FOUND. */
  async deleteGroup(brokerId: number, groupId: string): Promise<number> {
    const k = this.#keys;
    const result = await this.#scripts.run('deleteGroup', [k.lease(groupId), k.group(groupId), k.offsets(groupId), k.groups], [brokerId, groupId]);
    return (typeof result === 'string' ? DELETE_RESULT_CODES[result] : undefined) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
  }

  /** Committed offsets; partitions asked for with nothing committed come back as -1. */
  async fetchOffsets(groupId: string, partitions?: readonly { topic: string; partition: number }[]): Promise<CommittedOffset[]> {
    const all = await this.#redis.hgetall(this.#keys.offsets(groupId));
    const parse = (field: string, raw: string | undefined): CommittedOffset => {
      const at = field.lastIndexOf(':');
      const topic = field.slice(0, at);
      const partition = Number(field.slice(at + 1));
      if (raw === undefined) return { topic, partition, offset: -1, metadata: '' };
      const s = JSON.parse(raw) as StoredOffset;
      return { topic, partition, offset: s.offset, metadata: s.metadata };
    };
    if (partitions) return partitions.map((p) => parse(`${p.topic}:${p.partition}`, all[`${p.topic}:${p.partition}`]));
    return Object.entries(all)
      .map(([f, v]) => parse(f, v))
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /**
   * Removes every group's committed offsets for a deleted topic's partitions; the number of
   * offsets removed. One HDEL per group, each atomic on its own key: the deletion job runs it
   * again after a crash, and the topic cannot be created again until the job has finished.
   */
  async deleteTopicOffsets(topic: string, partitionCount: number): Promise<number> {
    const fields = Array.from({ length: partitionCount }, (_, p) => `${topic}:${p}`);
    if (fields.length === 0) return 0;
    const groups = await this.#redis.smembers(this.#keys.groups);
    let removed = 0;
    for (const g of groups) removed += await this.#redis.hdel(this.#keys.offsets(g), ...fields);
    return removed;
  }

  async listGroupIds(): Promise<string[]> {
    return (await this.#redis.smembers(this.#keys.groups)).sort();
  }
}
