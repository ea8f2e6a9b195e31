import { performance } from 'perf_hooks';

/**
 * Local time for lease deadlines and lag/stall timers. Monotonic, so a wall-clock step (NTP,
 * an operator's date change) can neither stretch a lease past its safe end nor expire one
 * early; tests inject a fake to move time by hand.
 */
export interface MonotonicClock {
  /** milliseconds since an arbitrary origin; never decreases */
  now(): number;
}

export const monotonicClock: MonotonicClock = { now: () => performance.now() };
