import {
  ErrorCode,
  Events,
  TributaryError,
  type EventName,
  type FindCoordinatorRequest,
  type FindCoordinatorResponse,
  type ResponseBase,
} from '@tributary/protocol';
import type { Cluster } from '../../cluster/cluster';
import type { BrokerConnection } from '../../connection/broker-connection';

const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

/** Finds a group's coordinator (any broker knows) and forgets it when it stops being one. */
export class CoordinatorClient {
  private coordinator: BrokerConnection | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly groupId: string,
  ) {}

  async request<Req, Res extends ResponseBase>(event: EventName, payload: Req, timeoutMs?: number): Promise<Res> {
    const connection = await this.connection();
    try {
      return await connection.request<Req, Res>(event, payload, timeoutMs);
    } catch (err) {
      // a moved coordinator or a dead socket: look it up again next time
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'number' || COORDINATOR_ERRORS.has(code) || code === ErrorCode.NETWORK_EXCEPTION || code === ErrorCode.REQUEST_TIMED_OUT)
        this.coordinator = null;
      throw err;
    }
  }

  forget(): void {
    this.coordinator = null;
  }

  private async connection(): Promise<BrokerConnection> {
    if (this.coordinator && !this.coordinator.isClosed) return this.coordinator;
    const found = await this.find();
    if (!this.cluster.brokers().some((b) => b.id === found.nodeId)) await this.cluster.refreshMetadata();
    this.coordinator = this.cluster.connectionFor(found.nodeId);
    return this.coordinator;
  }

  /** Any broker answers; a dead one (e.g. the old coordinator) is skipped for the next. */
  private async find(): Promise<FindCoordinatorResponse> {
    // what is thrown if no broker answers: the last broker's error, or this when there was none to ask
    let last: unknown = new TributaryError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'no broker to ask for the coordinator');
    for (let attempt = 0; attempt < 2; attempt++) {
      const candidates = this.cluster.brokers().map((b) => b.id);
      for (const id of candidates.sort(() => Math.random() - 0.5)) {
        try {
          return await this.cluster
            .connectionFor(id)
            .request<FindCoordinatorRequest, FindCoordinatorResponse>(Events.findCoordinator, { groupId: this.groupId }, 5000);
        } catch (err) {
          last = err;
        }
      }
      await this.cluster.refreshMetadata().catch(() => undefined);
    }
    throw last;
  }
}
