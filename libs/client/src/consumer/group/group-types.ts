import type { AssignorName } from '@tributary/protocol';

export interface GroupOptions {
  groupId: string;
  /** default 10000; the broker drops a member it has not heard from for this long */
  sessionTimeoutMs?: number;
  /** how long the coordinator waits for every member to rejoin; default 60000 */
  rebalanceTimeoutMs?: number;
  /** default 3000; keep it well below sessionTimeoutMs */
  heartbeatIntervalMs?: number;
  /** in order of preference; default ['cooperative-sticky', 'range'] */
  assignors?: AssignorName[];
  /** default true */
  autoCommit?: boolean;
  /** default 5000 */
  autoCommitIntervalMs?: number;
}

export interface SubscribeOptions {
  topics?: (string | RegExp)[];
  topic?: string | RegExp;
  /** where to start in partitions the group never committed: earliest (true) or latest; default false */
  fromBeginning?: boolean;
}

export interface GroupTP {
  topic: string;
  partition: number;
}

export interface GroupJoinEvent {
  groupId: string;
  memberId: string;
  generationId: number;
  assignor: string;
  isLeader: boolean;
  assignment: GroupTP[];
}
