/** An order as the example's clients send it and its read model keeps it. */
export interface Order {
  id: string;
  item: string;
  quantity: number;
}

export const ORDERS_TOPIC = 'orders';
/** the request/reply pattern: the topic TributaryServer consumes for it */
export const ORDERS_GET = 'orders.get';
export const ORDERS_GROUP = 'nest-orders-projector';
export const RPC_GROUP = 'nest-orders-rpc';
