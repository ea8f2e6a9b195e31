import { BadRequestException, Body, Controller, Get, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { InjectProducer, TributaryClient } from '@tributary/nestjs';
import type { Producer } from '@tributary/client';
import { firstValueFrom } from 'rxjs';
import { ORDERS_GET, ORDERS_TOPIC, type Order } from './order';
import { OrderStore } from './order-store';
import { ORDERS_CLIENT } from './tokens';

@Controller('orders')
export class OrdersController {
  constructor(
    @InjectProducer() private readonly producer: Producer,
    @Inject(ORDERS_CLIENT) private readonly client: TributaryClient,
    private readonly store: OrderStore,
  ) {}

  /** Produces the order keyed by its id, so every change of one order stays in one partition, in order. */
  @Post()
  async place(@Body() order: Order): Promise<{ partition: number; offset: number }> {
    if (typeof order?.id !== 'string' || typeof order.item !== 'string') throw new BadRequestException('an order needs id and item');
    const [meta] = await this.producer.send({ topic: ORDERS_TOPIC, messages: [{ key: order.id, value: JSON.stringify(order) }] });
    return { partition: meta.partition, offset: meta.baseOffset };
  }

  /** This instance's read model only. */
  @Get(':id/local')
  local(@Param('id') id: string): unknown {
    const order = this.store.get(id);
    if (!order) throw new NotFoundException(`no order ${id} here`);
    return order;
  }

  /** Asks whichever instance consumes orders.get (request/reply over Tributary). */
  @Get(':id')
  async get(@Param('id') id: string): Promise<unknown> {
    try {
      return await firstValueFrom(this.client.send(ORDERS_GET, { id }));
    } catch (err) {
      throw new NotFoundException(err);
    }
  }
}
