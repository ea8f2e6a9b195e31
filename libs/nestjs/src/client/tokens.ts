/** Injection tokens of the client module (TributaryModule). The Tributary class is its own token. */
export const TRIBUTARY_PRODUCER = Symbol('TRIBUTARY_PRODUCER');
export const TRIBUTARY_ADMIN = Symbol('TRIBUTARY_ADMIN');
/** metadata key under which @TributaryListener stores its options on a method */
export const TRIBUTARY_LISTENER_METADATA = 'tributary:listener';
