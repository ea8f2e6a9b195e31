import { Injectable } from '@nestjs/common';
import type { Order } from './order';

/** The read model the listener builds from the orders topic (in memory: an example, not a database). */
@Injectable()
export class OrderStore {
  private readonly orders = new Map<string, Order & { offset: number }>();

  put(order: Order, offset: number): void {
    this.orders.set(order.id, { ...order, offset });
  }

  get(id: string): (Order & { offset: number }) | undefined {
    return this.orders.get(id);
  }

  get size(): number {
    return this.orders.size;
  }
}
