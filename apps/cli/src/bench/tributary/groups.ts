import { Consumer, type ConsumerOptions, type RunConfig, type Tributary } from '@tributary/client';

/**
 * The part of a group consumer the bench needs, as the design doc promises it
 * (`consumer({ groupId })`, `subscribe({ topics, fromBeginning })`). Typed structurally
 * so this file compiles before groups exist and needs no change when they land.
 */
export interface GroupConsumer {
  subscribe(options: { topics: string[]; fromBeginning: boolean }): Promise<void>;
  run(config: RunConfig): Promise<void>;
  disconnect(): Promise<void>;
}

export const GROUPS_UNAVAILABLE = 'skipped: consumer groups not available in this build';

function isGroupConsumer(value: unknown): value is GroupConsumer {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.subscribe === 'function' && typeof v.run === 'function' && typeof v.disconnect === 'function';
}

/** Whether this build's SDK has consumer groups (a subscribe() on its Consumer). */
export function groupsAvailable(): boolean {
  return typeof (Consumer.prototype as unknown as Record<string, unknown>).subscribe === 'function';
}

/** A consumer in group `groupId`; throws when the SDK has no groups (check groupsAvailable first). */
export function groupConsumer(client: Tributary, groupId: string, options: ConsumerOptions): GroupConsumer {
  const withGroup: ConsumerOptions & { groupId: string } = { ...options, groupId };
  const consumer: unknown = client.consumer(withGroup);
  if (!isGroupConsumer(consumer)) throw new Error('this build of the SDK has no consumer groups');
  return consumer;
}
