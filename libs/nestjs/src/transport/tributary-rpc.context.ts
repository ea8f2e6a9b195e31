import { BaseRpcContext } from '@nestjs/microservices';
import type { ConsumedMessage } from '@tributary/client';

type ContextArgs = [topic: string, partition: number, message: ConsumedMessage, attempt: number];

/** What `@Ctx()` gives a TributaryServer handler: the record and where it came from. */
export class TributaryRpcContext extends BaseRpcContext<ContextArgs> {
  getTopic(): string {
    return this.args[0];
  }
  getPartition(): number {
    return this.args[1];
  }
  getMessage(): ConsumedMessage {
    return this.args[2];
  }
  /** 1 on the first delivery, then one more per retry */
  getAttempt(): number {
    return this.args[3];
  }
}
