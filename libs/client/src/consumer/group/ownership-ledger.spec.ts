import { OwnershipLedger } from './ownership-ledger';

const tp = { topic: 't', partition: 0 };
const gen = (generationId: number, memberId = 'a') => ({ memberId, generationId });

describe('OwnershipLedger', () => {
  it('a batch commits under the holding it was handed out in, even after the member rejoined', () => {
    const l = new OwnershipLedger();
    l.hold(tp, gen(1), 100);
    l.handedOut(tp, 100, 124);
    // the member was fenced and rejoined under a new id; the group had committed up to 300 meanwhile
    l.release(tp);
    l.hold(tp, gen(3, 'a2'), 300);
    expect(l.identityFor(tp, 125)).toEqual(gen(1));
    expect(l.identityOf(tp)).toEqual(gen(3, 'a2'));
    l.handedOut(tp, 300, 310);
    expect(l.identityFor(tp, 311)).toEqual(gen(3, 'a2'));
  });

  it('an unbroken holding (cooperative keep) moves its batches to the newest generation', () => {
    const l = new OwnershipLedger();
    l.hold(tp, gen(1), null);
    l.handedOut(tp, 0, 9);
    l.hold(tp, gen(2), 5);
    expect(l.identityFor(tp, 10)).toEqual(gen(2));
  });

  it('offsets below where the holding began belong to the previous holding; a seek back makes them its own', () => {
    const l = new OwnershipLedger();
    l.hold(tp, gen(1), null);
    l.release(tp);
    l.hold(tp, gen(4), 500);
    expect(l.identityFor(tp, 200)).toEqual(gen(1));
    expect(l.identityFor(tp, 600)).toEqual(gen(4));
    l.lowerFloor(tp, 100);
    expect(l.identityFor(tp, 200)).toEqual(gen(4));
  });

  it('a partition no longer held commits under its last holding; one never held has no identity', () => {
    const l = new OwnershipLedger();
    l.hold(tp, gen(2), 0);
    l.release(tp);
    expect(l.identityFor(tp, 50)).toEqual(gen(2));
    expect(l.identityOf(tp)).toBeNull();
    expect(l.identityFor({ topic: 't', partition: 1 }, 5)).toBeNull();
  });
});
