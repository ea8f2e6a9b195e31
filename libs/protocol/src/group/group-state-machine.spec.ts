import type { JoinGroupRequest } from '../wire/group-messages';
import { GroupStateMachine, type GroupEffect } from './group-state-machine';

const join = (memberId = ''): JoinGroupRequest => ({
  groupId: 'g',
  memberId,
  clientId: 'c',
  sessionTimeoutMs: 1000,
  rebalanceTimeoutMs: 2000,
  topics: ['t'],
  assignors: ['range'],
});

const kinds = (effects: GroupEffect[]): string[] =>
  effects.map((e) =>
    e.kind === 'persist' ? `persist:${e.group.state}:${e.group.generationId}` : e.kind === 'answer' ? `answer:${e.response.errorCode}` : e.kind,
  );

describe('GroupStateMachine', () => {
  let now = 1000;
  let ids = 0;
  const make = () => new GroupStateMachine({ groupId: 'g', now: () => now, maxSize: () => 10, partitionCount: () => 2, randomId: () => `id${++ids}` }, null);
  beforeEach(() => {
    now = 1000;
    ids = 0;
  });

  it('leaves every save before the answers that follow it, and answers nobody itself', async () => {
    const g = make();
    let answered = false;
    const parked = g.join(join(), undefined).then((r) => ((answered = true), r));
    const effects = g.takeEffects();
    expect(kinds(effects)).toEqual(['persist:PreparingRebalance:0', 'persist:Stable:1', 'rebalanced', 'answer:0']);
    await Promise.resolve();
    expect(answered).toBe(false);
    for (const e of effects) if (e.kind === 'answer') e.resolve(e.response);
    expect(await parked).toMatchObject({ memberId: 'c-id1', generationId: 1, assignment: [{ topic: 't', partitions: [0, 1] }] });
    expect(g.takeEffects()).toEqual([]);
  });

  it('the last rejoin completes the rebalance with one save, then answers both members', () => {
    const g = make();
    void g.join(join(), undefined);
    g.takeEffects();
    void g.join(join(), undefined);
    g.takeEffects();
    expect(() => g.heartbeat({ groupId: 'g', memberId: 'c-id1', generationId: 1 }, undefined)).toThrow(
      expect.objectContaining({ type: 'REBALANCE_IN_PROGRESS' }),
    );
    void g.join(join('c-id1'), undefined);
    expect(kinds(g.takeEffects())).toEqual(['persist:Stable:2', 'rebalanced', 'answer:0', 'answer:0']);
  });
});
