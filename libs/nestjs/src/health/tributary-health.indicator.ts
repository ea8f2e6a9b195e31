import { Inject, Injectable } from '@nestjs/common';
import type { Admin } from '@tributary/client';
import { TRIBUTARY_ADMIN } from '../client/tokens';

export interface TributaryHealthOptions {
  /** also require this group to have members (be joined), and check its lag */
  groupId?: string;
  /** down when the group's total lag (records not yet committed) is above this */
  maxLag?: number;
  /** the whole check's bound: an unreachable cluster answers down after this; default 3000 ms */
  timeoutMs?: number;
}

/** The shape @nestjs/terminus expects from an indicator (its HealthIndicatorResult), without a runtime import of it. */
export type TributaryHealthResult<Key extends string = string> = Record<Key, { status: 'up' | 'down' } & Record<string, unknown>>;

/**
 * A @nestjs/terminus health indicator (terminus is an optional peer dependency: nothing here
 * imports it): `health.check([() => tributary.isHealthy('tributary', { groupId, maxLag })])`.
 * Up when a broker answers with the cluster's brokers, the group (if named) has members, and
 * its lag is within maxLag; otherwise down, with the reason. It never throws and never hangs.
 */
@Injectable()
export class TributaryHealthIndicator {
  constructor(@Inject(TRIBUTARY_ADMIN) private readonly admin: Admin) {}

  async isHealthy<const Key extends string>(key: Key, options: TributaryHealthOptions = {}): Promise<TributaryHealthResult<Key>> {
    const result = (status: 'up' | 'down', details: Record<string, unknown>): TributaryHealthResult<Key> =>
      ({ [key]: { status, ...details } }) as TributaryHealthResult<Key>;
    const timeoutMs = options.timeoutMs ?? 3_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the cluster within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.check(options, result), timeout]);
    } catch (err) {
      return result('down', { message: err instanceof Error ? err.message : String(err) });
    } finally {
      clearTimeout(timer);
    }
  }

  private async check<R>(options: TributaryHealthOptions, result: (status: 'up' | 'down', details: Record<string, unknown>) => R): Promise<R> {
    const cluster = await this.admin.describeCluster();
    const details: Record<string, unknown> = { brokers: cluster.brokers.length };
    if (cluster.brokers.length === 0) return result('down', { ...details, message: 'no broker is registered' });
    if (options.groupId === undefined) return result('up', details);
    const [group] = await this.admin.groups().describeGroups([options.groupId]);
    details.group = options.groupId;
    details.groupState = group?.state ?? 'Dead';
    details.members = group?.members.length ?? 0;
    if (!group || group.members.length === 0) return result('down', { ...details, message: `group ${options.groupId} has no members` });
    if (options.maxLag !== undefined) {
      const lag = (await this.admin.groups().groupLag(options.groupId)).reduce((sum, p) => sum + p.lag, 0);
      details.lag = lag;
      if (lag > options.maxLag) return result('down', { ...details, message: `lag ${lag} is above ${options.maxLag}` });
    }
    return result('up', details);
  }
}
