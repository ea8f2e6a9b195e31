import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import type { TributaryRpcContext } from '@tributary/nestjs';
import { ORDERS_GET } from './order';
import { OrderStore } from './order-store';

/** Request/reply through TributaryServer: `client.send('orders.get', { id })` from any instance. */
@Controller()
export class OrdersRpc {
  constructor(private readonly store: OrderStore) {}

  @MessagePattern(ORDERS_GET)
  getOrder(@Payload() request: { id: string }, @Ctx() ctx: TributaryRpcContext): { order: unknown; servedFrom: string } {
    const order = this.store.get(request.id);
    if (!order) throw new RpcException({ code: 'NOT_FOUND', message: `no order ${request.id}` });
    return { order, servedFrom: `${ctx.getTopic()}/${ctx.getPartition()}` };
  }
}
