import { Injectable, Logger } from '@nestjs/common';
import { TributaryContext, TributaryListener } from '@tributary/nestjs';
import { ORDERS_GROUP, ORDERS_TOPIC, type Order } from './order';
import { OrderStore } from './order-store';

/** Consumes the orders topic as one group: run two instances and they share its partitions. */
@Injectable()
export class OrdersListener {
  private readonly logger = new Logger(OrdersListener.name);

  constructor(private readonly store: OrderStore) {}

  @TributaryListener({ topic: ORDERS_TOPIC, groupId: ORDERS_GROUP, fromBeginning: true })
  async onOrder(order: Order, ctx: TributaryContext): Promise<void> {
    this.store.put(order, ctx.offset);
    this.logger.debug(`order ${order.id} from ${ctx.topic}/${ctx.partition}@${ctx.offset}`);
  }
}
