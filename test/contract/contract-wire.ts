/** What the contract's case files share: the target, the case names, and a raw socket.io connection. */
import { io, type Socket } from 'socket.io-client';

export interface ContractTarget {
  /** the broker's URL */
  url: string;
  /** its broker id */
  brokerId: number;
}

export type ContractCase =
  | 'createTopics'
  | 'deleteTopics'
  | 'metadata'
  | 'produce'
  | 'fetch'
  | 'listOffsets'
  | 'configs'
  | 'createPartitions'
  | 'deleteRecords'
  | 'groupJoin'
  | 'groupHeartbeat'
  | 'groupFencing'
  | 'groupOffsets'
  | 'groupLeave'
  | 'groupSession'
  | 'groupRebalanceTimeout'
  | 'groupCooperative'
  | 'groupDescribe'
  | 'deleteGroups';

export interface ContractOptions {
  /** cases the target cannot pass yet, each with the reason: skipped, and named in the test title */
  pending?: Partial<Record<ContractCase, string>>;
}

/** One socket.io connection speaking the wire API without the SDK: what a broker answers is what the case sees. */
export class Wire {
  private constructor(private readonly socket: Socket) {}

  static connect(url: string): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const s = io(url, { transports: ['websocket'], reconnection: false, timeout: 5000 });
      s.once('connect', () => resolve(new Wire(s)));
      s.once('connect_error', reject);
    });
  }

  request<T>(event: string, payload: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      this.socket.timeout(15_000).emit(event, payload, (err: Error | null, res: T) => (err ? reject(err) : resolve(res)));
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** What a case file gets from the suite: the connection (open once the suite runs), the target, and the suite's helpers. */
export interface ContractContext {
  wire: () => Wire;
  target: () => ContractTarget;
  /** registers a case, skipped when the target has it pending */
  test: (name: ContractCase, title: string, fn: () => Promise<void>) => void;
  /** a topic name no other case uses */
  topicName: (label: string) => string;
  /** creates a topic (replication factor 1) and expects it created */
  createTopic: (name: string, partitions: number) => Promise<void>;
}
