/** Injection tokens of the broker module. */
export const BROKER_CONFIG = Symbol('TRIBUTARY_BROKER_CONFIG');
