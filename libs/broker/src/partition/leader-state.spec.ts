import { LeaderState } from './leader-state';

describe('LeaderState', () => {
  it('holds the high watermark at the slowest ISR member, and back until every follower reported', () => {
    const s = new LeaderState([2, 3], 0);
    expect(s.highWatermark([1, 2, 3], 1, 100)).toBe(-1);
    s.record(2, 80, 100, 10, 1);
    expect(s.highWatermark([1, 2, 3], 1, 100)).toBe(-1);
    s.record(3, 60, 100, 10, 1);
    expect(s.highWatermark([1, 2, 3], 1, 100)).toBe(60);
    expect(s.highWatermark([1, 2], 1, 100)).toBe(80); // 3 left the ISR
  });

  it("judges a follower under steady load by where the leader was at its previous report (Kafka's rule)", () => {
    const s = new LeaderState([2], 0);
    // The leader's end keeps moving ahead; the follower always reaches the previous end.
    s.record(2, 90, 100, 1000, 1);
    s.record(2, 100, 110, 2000, 1);
    s.record(2, 110, 120, 3000, 1);
    expect(s.lagging([1, 2], 1, 3500, 2000)).toEqual([]); // caught up as of t=2000
    // Now it stalls at 110 while the leader moves on: last caught up as of t=2000, so it lags at 4001+.
    s.record(2, 110, 130, 4000, 1);
    s.record(2, 110, 140, 5000, 1);
    expect(s.lagging([1, 2], 1, 3900, 2000)).toEqual([]);
    expect(s.lagging([1, 2], 1, 5200, 2000)).toEqual([2]);
    // Catching up to the live end clears it at once.
    s.record(2, 140, 140, 5300, 1);
    expect(s.lagging([1, 2], 1, 5400, 2000)).toEqual([]);
  });

  it("ignores reports from an older incarnation of a follower, and takes a newer one's log end as it is (KIP-903)", () => {
    const s = new LeaderState([2], 0);
    expect(s.record(2, 80, 100, 10, 5)).toBe('ok');
    expect(s.record(2, 95, 100, 20, 4)).toBe('stale');
    expect(s.logEndOffsetOf(2)).toBe(80);
    // broker 2 restarted (epoch 6) and lost its unflushed tail: its lower log end replaces the old one
    expect(s.record(2, 50, 100, 30, 6)).toBe('reborn');
    expect(s.logEndOffsetOf(2)).toBe(50);
    expect(s.highWatermark([1, 2], 1, 100)).toBe(50);
    expect(s.record(2, 90, 100, 40, 5)).toBe('stale');
    expect(s.brokerEpochOf(2)).toBe(6);
  });

  it('drops a silent follower that owes data after the stall time, but not an idle one or one that keeps reporting', () => {
    const s = new LeaderState([2, 3], 0);
    s.record(2, 100, 100, 100, 1);
    s.record(3, 100, 100, 100, 1);
    // idle for a long time: nothing owed, nobody stalls however old the last report
    expect(s.stalled([1, 2, 3], 1, 100, 60_000, 1500)).toEqual([]);
    // the leader appends at t=60000: both owe a report from then on, not from t=100
    s.appended(60_000);
    expect(s.stalled([1, 2, 3], 1, 110, 61_000, 1500)).toEqual([]);
    // 2 keeps reporting (a little behind the live end, as under steady load); 3 is silent
    s.record(2, 105, 120, 61_200, 1);
    s.appended(61_300);
    s.record(2, 120, 130, 61_400, 1);
    expect(s.stalled([1, 2, 3], 1, 130, 61_600, 1500)).toEqual([3]);
    // both come back caught up: they owe nothing until the next append
    s.record(2, 130, 130, 61_700, 1);
    s.record(3, 130, 130, 61_700, 1);
    expect(s.stalled([1, 2, 3], 1, 130, 70_000, 1500)).toEqual([]);
  });
});
