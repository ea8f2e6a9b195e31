export const ORDERS_CLIENT = Symbol('ORDERS_CLIENT');
