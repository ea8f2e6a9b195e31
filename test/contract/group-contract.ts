/**
 * The consumer-group part of the broker contract: the rebalance protocol (generations, member
 * ids, Kafka's error codes), sessions, committed offsets and group deletion, as the coordinator
 * answers them on the wire. Each case uses its own group and topic. The target is a one-broker
 * cluster, so that broker coordinates every group.
 */
import {
  ErrorCode,
  type CommitOffsetsResponse,
  type DeleteGroupsResponse,
  type DescribedGroup,
  type DescribeGroupsResponse,
  type FetchOffsetsResponse,
  type FindCoordinatorResponse,
  type GroupTopicPartitions,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupResponse,
  type ListGroupsResponse,
  type SyncGroupResponse,
} from '@tributary/protocol';
import { Wire, type ContractContext } from './contract-wire';

type Member = Pick<JoinGroupResponse, 'memberId' | 'generationId'>;

export function groupContract({ wire, target, test, topicName, createTopic }: ContractContext): void {
  let seq = 0;
  const groupName = (label: string) => `contract-group-${label}-${Date.now()}-${seq++}`;

  const join = (groupId: string, memberId: string, topics: string[], over: Partial<JoinGroupRequest> = {}, on: Wire = wire()) =>
    on.request<JoinGroupResponse>('joinGroup', {
      groupId,
      memberId,
      clientId: 'contract',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 5_000,
      topics,
      assignors: ['range'],
      ...over,
    });
  const sync = (groupId: string, m: Member) => wire().request<SyncGroupResponse>('syncGroup', { groupId, memberId: m.memberId, generationId: m.generationId });
  const heartbeat = (groupId: string, m: Member, on: Wire = wire()) =>
    on.request<HeartbeatResponse>('heartbeat', { groupId, memberId: m.memberId, generationId: m.generationId });
  const leave = (groupId: string, memberId: string) => wire().request<LeaveGroupResponse>('leaveGroup', { groupId, memberId });
  const commit = (groupId: string, m: Member, offsets: { topic: string; partition: number; offset: number; metadata?: string }[]) =>
    wire().request<CommitOffsetsResponse>('commitOffsets', { groupId, memberId: m.memberId, generationId: m.generationId, offsets });
  const describe = async (groupId: string): Promise<DescribedGroup> =>
    (await wire().request<DescribeGroupsResponse>('describeGroups', { groupIds: [groupId] })).groups[0];
  const fetchOffsets = (groupId: string, partitions?: { topic: string; partition: number }[]) =>
    wire().request<FetchOffsetsResponse>('fetchOffsets', partitions ? { groupId, partitions } : { groupId });
  const deleteGroups = (groupIds: string[]) => wire().request<DeleteGroupsResponse>('deleteGroups', { groupIds });

  /** Waits until the stored group reaches `state` (a join parks until the rebalance completes, so its effect shows here first). */
  const untilState = async (groupId: string, state: DescribedGroup['state']): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while ((await describe(groupId)).state !== state) {
      if (Date.now() > deadline) throw new Error(`group ${groupId} never reached ${state}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  /** A joins alone (generation 1); B joins, A rejoins on the rebalance: both in generation 2. */
  const twoMembers = async (groupId: string, topic: string, bOver: Partial<JoinGroupRequest> = {}): Promise<[JoinGroupResponse, JoinGroupResponse]> => {
    const a1 = await join(groupId, '', [topic]);
    expect(a1).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1 });
    const bJoin = join(groupId, '', [topic], bOver);
    await untilState(groupId, 'PreparingRebalance');
    const [a, b] = await Promise.all([join(groupId, a1.memberId, [topic]), bJoin]);
    return [a, b];
  };

  const flat = (tps: GroupTopicPartitions[]): string[] => tps.flatMap((t) => t.partitions.map((p) => `${t.topic}:${p}`));

  test('groupJoin', 'findCoordinator, then join+sync of one member and of two: generations, one leader, every partition assigned once', async () => {
    const topic = topicName('gjoin');
    await createTopic(topic, 4);
    const group = groupName('join');
    const found = await wire().request<FindCoordinatorResponse>('findCoordinator', { groupId: group });
    expect(found).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: target().brokerId });
    expect(found.port).toBeGreaterThan(0);

    const a = await join(group, '', [topic]);
    expect(a).toEqual({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      memberId: expect.stringMatching(/^contract-/),
      leaderId: a.memberId,
      assignor: 'range',
      assignment: [{ topic, partitions: [0, 1, 2, 3] }],
    });
    expect(await sync(group, a)).toEqual({ errorCode: ErrorCode.NONE, assignment: [{ topic, partitions: [0, 1, 2, 3] }] });

    const bJoin = join(group, '', [topic]);
    await untilState(group, 'PreparingRebalance');
    // the old generation is still current until the rebalance completes, so A is told to rejoin
    expect((await heartbeat(group, a)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect((await sync(group, a)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const [a2, b] = await Promise.all([join(group, a.memberId, [topic]), bJoin]);
    expect([a2.errorCode, b.errorCode]).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect([a2.generationId, b.generationId]).toEqual([2, 2]);
    expect(a2.memberId).toBe(a.memberId);
    expect(b.memberId).not.toBe(a.memberId);
    expect([a2.leaderId, b.leaderId]).toEqual([a.memberId, a.memberId]);
    expect([...flat(a2.assignment), ...flat(b.assignment)].sort()).toEqual([0, 1, 2, 3].map((p) => `${topic}:${p}`));
    expect([flat(a2.assignment).length, flat(b.assignment).length]).toEqual([2, 2]);
    expect(await sync(group, b)).toEqual({ errorCode: ErrorCode.NONE, assignment: b.assignment });
    expect(await sync(group, a2)).toEqual({ errorCode: ErrorCode.NONE, assignment: a2.assignment });
    expect(await describe(group)).toMatchObject({ errorCode: ErrorCode.NONE, state: 'Stable', generationId: 2, assignor: 'range', leaderId: a.memberId });
  });

  test('groupHeartbeat', 'heartbeat: NONE in the current generation, ILLEGAL_GENERATION in another, UNKNOWN_MEMBER_ID for a stranger', async () => {
    const topic = topicName('ghb');
    await createTopic(topic, 1);
    const group = groupName('hb');
    const a = await join(group, '', [topic]);
    expect(await heartbeat(group, a)).toEqual({ errorCode: ErrorCode.NONE });
    expect((await heartbeat(group, { ...a, generationId: 0 })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await heartbeat(group, { ...a, generationId: 7 })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await heartbeat(group, { memberId: 'contract-stranger', generationId: 1 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await heartbeat(groupName('never'), a)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test(
    'groupFencing',
    'wrong generation and unknown member: sync, join and commit are refused with Kafka’s codes; a member id is bound to its connection',
    async () => {
      const topic = topicName('gfence');
      await createTopic(topic, 2);
      const group = groupName('fence');
      const [a, b] = await twoMembers(group, topic);
      const stranger = { memberId: 'contract-stranger', generationId: 2 };
      expect(await sync(group, { ...a, generationId: 1 })).toEqual({
        errorCode: ErrorCode.ILLEGAL_GENERATION,
        errorMessage: expect.any(String),
        assignment: [],
      });
      expect((await sync(group, stranger)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(await join(group, 'contract-stranger', [topic])).toEqual({
        errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
        errorMessage: expect.any(String),
        generationId: -1,
        memberId: '',
        leaderId: '',
        assignor: '',
        assignment: [],
      });
      const mine = flat(a.assignment).map((k) => Number(k.split(':').pop()));
      const theirs = flat(b.assignment).map((k) => Number(k.split(':').pop()));
      expect((await commit(group, { ...a, generationId: 1 }, [{ topic, partition: mine[0], offset: 1 }])).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect((await commit(group, stranger, [{ topic, partition: mine[0], offset: 1 }])).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      // a partition the member does not own in its generation (Tributary's fencing, beyond Kafka's classic checks)
      expect((await commit(group, a, [{ topic, partition: theirs[0], offset: 1 }])).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
      // from outside the group while it has members
      expect((await commit(group, { memberId: '', generationId: -1 }, [{ topic, partition: 0, offset: 1 }])).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect((await commit(group, a, [{ topic: `${topic}-missing`, partition: 0, offset: 1 }])).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

      // another connection may not act for a member while the member's own connection is open
      const other = await Wire.connect(target().url);
      try {
        expect((await heartbeat(group, a, other)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
        expect((await join(group, a.memberId, [topic], {}, other)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      } finally {
        other.close();
      }
      expect(await heartbeat(group, a)).toEqual({ errorCode: ErrorCode.NONE });

      const bad = await join(group, '', [topic], { sessionTimeoutMs: 100 });
      expect(bad).toMatchObject({ errorCode: ErrorCode.INVALID_SESSION_TIMEOUT, generationId: -1, memberId: '' });
      expect((await join('bad group!', '', [topic])).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
      expect((await join(group, '', [topic], { assignors: ['roundrobin'] })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      // none of the refusals moved the group on
      expect(await describe(group)).toMatchObject({ state: 'Stable', generationId: 2 });
    },
  );

  test('groupOffsets', 'commitOffsets + fetchOffsets: a member commits its partitions; unasked-for and uncommitted partitions are -1', async () => {
    const topic = topicName('goffsets');
    await createTopic(topic, 3);
    const group = groupName('offsets');
    const a = await join(group, '', [topic]);
    const r = await commit(group, a, [
      { topic, partition: 0, offset: 5, metadata: 'first' },
      { topic, partition: 2, offset: 9 },
    ]);
    expect(r).toEqual({ errorCode: ErrorCode.NONE });
    const asked = await fetchOffsets(group, [
      { topic, partition: 2 },
      { topic, partition: 1 },
      { topic, partition: 0 },
    ]);
    expect(asked).toEqual({
      errorCode: ErrorCode.NONE,
      offsets: [
        { topic, partition: 2, offset: 9, metadata: '' },
        { topic, partition: 1, offset: -1, metadata: '' },
        { topic, partition: 0, offset: 5, metadata: 'first' },
      ],
    });
    expect((await fetchOffsets(group)).offsets).toEqual([
      { topic, partition: 0, offset: 5, metadata: 'first' },
      { topic, partition: 2, offset: 9, metadata: '' },
    ]);
    // a later commit replaces the offset
    expect((await commit(group, a, [{ topic, partition: 0, offset: 6 }])).errorCode).toBe(ErrorCode.NONE);
    expect((await fetchOffsets(group, [{ topic, partition: 0 }])).offsets).toEqual([{ topic, partition: 0, offset: 6, metadata: '' }]);
    const unknown = groupName('unknown');
    expect(await fetchOffsets(unknown)).toEqual({ errorCode: ErrorCode.NONE, offsets: [] });
    expect((await fetchOffsets(unknown, [{ topic, partition: 0 }])).offsets).toEqual([{ topic, partition: 0, offset: -1, metadata: '' }]);

    // once the group is empty, a commit from outside it (an admin tool) is taken
    expect(await leave(group, a.memberId)).toEqual({ errorCode: ErrorCode.NONE });
    expect((await commit(group, { memberId: '', generationId: -1 }, [{ topic, partition: 1, offset: 3 }])).errorCode).toBe(ErrorCode.NONE);
    expect((await fetchOffsets(group, [{ topic, partition: 1 }])).offsets[0].offset).toBe(3);
    // and the old member's identity is gone
    expect((await commit(group, a, [{ topic, partition: 0, offset: 7 }])).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // a partition the topic does not have is refused as Kafka does, so growing the topic later cannot meet a stray offset
    expect((await commit(group, { memberId: '', generationId: -1 }, [{ topic, partition: 3, offset: 1 }])).errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    expect((await fetchOffsets(group, [{ topic, partition: 3 }])).offsets[0].offset).toBe(-1);
  });

  test('groupLeave', 'leaveGroup: the other member is told to rejoin and then takes every partition; leaving twice is UNKNOWN_MEMBER_ID', async () => {
    const topic = topicName('gleave');
    await createTopic(topic, 2);
    const group = groupName('leave');
    const [a, b] = await twoMembers(group, topic);
    expect(await leave(group, b.memberId)).toEqual({ errorCode: ErrorCode.NONE });
    expect((await describe(group)).state).toBe('PreparingRebalance');
    expect((await heartbeat(group, a)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const a3 = await join(group, a.memberId, [topic]);
    expect(a3).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 3,
      memberId: a.memberId,
      leaderId: a.memberId,
      assignment: [{ topic, partitions: [0, 1] }],
    });
    expect(await heartbeat(group, a3)).toEqual({ errorCode: ErrorCode.NONE });
    expect((await leave(group, b.memberId)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const described = await describe(group);
    expect(described).toMatchObject({ state: 'Stable', generationId: 3 });
    expect(described.members.map((m) => m.memberId)).toEqual([a.memberId]);
    // the last member leaving empties the group, in a generation of its own
    expect(await leave(group, a.memberId)).toEqual({ errorCode: ErrorCode.NONE });
    expect(await describe(group)).toMatchObject({ state: 'Empty', generationId: 4, leaderId: '', members: [] });
  });

  test('groupSession', 'a member that stops heartbeating is removed after its session timeout, and the other is told to rejoin', async () => {
    const topic = topicName('gsession');
    await createTopic(topic, 2);
    const group = groupName('session');
    const [a, b] = await twoMembers(group, topic, { sessionTimeoutMs: 500 });
    expect(b.errorCode).toBe(ErrorCode.NONE);
    // A keeps its session alive; B says nothing more
    const deadline = Date.now() + 10_000;
    let code: number = ErrorCode.NONE;
    while (code === ErrorCode.NONE && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      code = (await heartbeat(group, a)).errorCode;
    }
    expect(code).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect((await heartbeat(group, b)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const a3 = await join(group, a.memberId, [topic]);
    expect(a3).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 3, assignment: [{ topic, partitions: [0, 1] }] });
  });

  test('groupRebalanceTimeout', 'a member that does not rejoin within the rebalance timeout is dropped, and the rebalance completes without it', async () => {
    const topic = topicName('gtimeout');
    await createTopic(topic, 2);
    const group = groupName('timeout');
    const a = await join(group, '', [topic], { rebalanceTimeoutMs: 500 });
    const startedAt = Date.now();
    // B's join waits for A, which never rejoins; A's heartbeats keep its session but are no rejoin
    const bJoin = join(group, '', [topic], { rebalanceTimeoutMs: 500 });
    await untilState(group, 'PreparingRebalance');
    expect((await heartbeat(group, a)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const b = await bJoin;
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(400);
    expect(b).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leaderId: b.memberId, assignment: [{ topic, partitions: [0, 1] }] });
    expect((await heartbeat(group, a)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await describe(group)).members.map((m) => m.memberId)).toEqual([b.memberId]);
  });

  test(
    'groupCooperative',
    'cooperative-sticky: a moving partition goes to nobody for a generation, its old owner may still commit it, and the next generation hands it over',
    async () => {
      const topic = topicName('gcoop');
      await createTopic(topic, 4);
      const group = groupName('coop');
      const coop: Partial<JoinGroupRequest> = { assignors: ['cooperative-sticky'] };
      const a1 = await join(group, '', [topic], coop);
      expect(a1).toMatchObject({ generationId: 1, assignor: 'cooperative-sticky', assignment: [{ topic, partitions: [0, 1, 2, 3] }] });
      const bJoin = join(group, '', [topic], coop);
      await untilState(group, 'PreparingRebalance');
      const [a2, b2] = await Promise.all([join(group, a1.memberId, [topic], coop), bJoin]);
      // A keeps its share; what moves to B is withheld from both in this generation
      expect(a2).toMatchObject({ generationId: 2, assignment: [{ topic, partitions: [0, 1] }] });
      expect(b2).toMatchObject({ generationId: 2, assignment: [] });
      expect((await commit(group, a2, [{ topic, partition: 2, offset: 1 }])).errorCode).toBe(ErrorCode.NONE);
      expect((await commit(group, b2, [{ topic, partition: 2, offset: 2 }])).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);

      // A, having given them up, rejoins; B is told to rejoin too
      const a3Join = join(group, a1.memberId, [topic], coop);
      await untilState(group, 'PreparingRebalance');
      expect((await heartbeat(group, b2)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const [a3, b3] = await Promise.all([a3Join, join(group, b2.memberId, [topic], coop)]);
      expect(a3).toMatchObject({ generationId: 3, assignment: [{ topic, partitions: [0, 1] }] });
      expect(b3).toMatchObject({ generationId: 3, assignment: [{ topic, partitions: [2, 3] }] });
      expect((await commit(group, a3, [{ topic, partition: 2, offset: 3 }])).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
      expect((await commit(group, b3, [{ topic, partition: 2, offset: 4 }])).errorCode).toBe(ErrorCode.NONE);
      expect((await fetchOffsets(group, [{ topic, partition: 2 }])).offsets[0].offset).toBe(4);
    },
  );

  test('groupDescribe', 'describeGroups and listGroups: state, generation, members and their assignment; an unknown group is GROUP_ID_NOT_FOUND', async () => {
    const topic = topicName('gdescribe');
    await createTopic(topic, 2);
    const group = groupName('describe');
    const a = await join(group, '', [topic], { clientId: 'contract-describe' });
    const unknown = groupName('nobody');
    const r = await wire().request<DescribeGroupsResponse>('describeGroups', { groupIds: [group, unknown] });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.groups).toEqual([
      {
        groupId: group,
        errorCode: ErrorCode.NONE,
        state: 'Stable',
        generationId: 1,
        assignor: 'range',
        leaderId: a.memberId,
        coordinatorId: target().brokerId,
        members: [{ memberId: a.memberId, clientId: 'contract-describe', topics: [topic], assignment: [{ topic, partitions: [0, 1] }] }],
      },
      {
        groupId: unknown,
        errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
        state: 'Dead',
        generationId: -1,
        assignor: '',
        leaderId: '',
        coordinatorId: -1,
        members: [],
      },
    ]);
    const listed = await wire().request<ListGroupsResponse>('listGroups', {});
    expect(listed.errorCode).toBe(ErrorCode.NONE);
    expect(listed.groups.filter((g) => g.groupId === group || g.groupId === unknown)).toEqual([
      { groupId: group, state: 'Stable', coordinatorId: target().brokerId },
    ]);
  });

  test('deleteGroups', 'deleteGroups: NON_EMPTY_GROUP with a live member, GROUP_ID_NOT_FOUND for none; an empty group goes with its offsets', async () => {
    const topic = topicName('gdelete');
    await createTopic(topic, 1);
    const group = groupName('delete');
    const a = await join(group, '', [topic]);
    expect((await commit(group, a, [{ topic, partition: 0, offset: 4 }])).errorCode).toBe(ErrorCode.NONE);
    const unknown = groupName('nobody');
    const refused = await deleteGroups([group, unknown]);
    expect(refused).toEqual({
      errorCode: ErrorCode.NONE,
      results: [
        { groupId: group, errorCode: ErrorCode.NON_EMPTY_GROUP },
        { groupId: unknown, errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      ],
    });
    expect(await describe(group)).toMatchObject({ state: 'Stable', generationId: 1 });

    expect((await leave(group, a.memberId)).errorCode).toBe(ErrorCode.NONE);
    expect(await deleteGroups([group])).toEqual({ errorCode: ErrorCode.NONE, results: [{ groupId: group, errorCode: ErrorCode.NONE }] });
    expect((await describe(group)).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect((await fetchOffsets(group, [{ topic, partition: 0 }])).offsets[0].offset).toBe(-1);
    const listed = await wire().request<ListGroupsResponse>('listGroups', {});
    expect(listed.groups.map((g) => g.groupId)).not.toContain(group);
    expect((await deleteGroups([group])).results[0].errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    // a group joined again after its deletion starts over from the first generation
    expect(await join(group, '', [topic])).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1 });

    // a group that only ever had offsets committed from outside (a simple consumer) is deleted too
    const simple = groupName('simple');
    expect((await commit(simple, { memberId: '', generationId: -1 }, [{ topic, partition: 0, offset: 1 }])).errorCode).toBe(ErrorCode.NONE);
    expect((await deleteGroups([simple])).results[0].errorCode).toBe(ErrorCode.NONE);
    expect((await fetchOffsets(simple)).offsets).toEqual([]);
  });
}
