import type { ReplicaAck, ReplicationStreamReader, ReplicationStreamWriter } from '@tributary/coordination';
import { Events, TributaryError, type ReplicaProgressRequest, type ResponseBase } from '@tributary/protocol';
import type { FollowerAck } from '../partition/partition-context';
import type { PartitionActor } from '../partition/partition-actor';
import type { ReplicaManager } from '../partition/replica-manager';
import { ReplicationService, type ProgressLinks } from './replication-service';

type RedisAck = Omit<ReplicaAck, 'id'> & { leaderId: number };

/** The Redis side: records what went through the ack streams. */
class FakeStreams implements ReplicationStreamWriter {
  readonly acks: RedisAck[][] = [];
  append = () => Promise.resolve();
  lastId = () => Promise.resolve('0-0');
  lastAckId = () => Promise.resolve('0-0');
  reportAcks(acks: readonly RedisAck[]): Promise<void> {
    this.acks.push([...acks]);
    return Promise.resolve();
  }
}

/** The peer WebSocket side: which leaders have an open link, and what each send does. */
class FakeLinks implements ProgressLinks {
  readonly sent: Array<{ url: string; event: string; payload: ReplicaProgressRequest }> = [];
  open = new Set<string>(['ws://broker-2', 'ws://broker-3']);
  answer: () => Promise<ResponseBase> = () => Promise.resolve({ errorCode: 0 });
  brokerUrl = (id: number) => (id === 4 ? undefined : `ws://broker-${id}`);
  requestIfConnected<Res extends ResponseBase>(url: string, event: string, payload: unknown): Promise<Res> | null {
    if (!this.open.has(url)) return null;
    this.sent.push({ url, event, payload: payload as ReplicaProgressRequest });
    return this.answer() as Promise<Res>;
  }
}

const reader: ReplicationStreamReader = { read: () => Promise.resolve([]), readAcks: () => Promise.resolve([]), close: () => undefined };
const turn = () => new Promise((r) => setImmediate(r));
const ack = (leaderId: number, partition: number, logEndOffset: number, topic = 't'): FollowerAck => ({
  topic,
  partition,
  leaderId,
  leaderEpoch: 3,
  logEndOffset,
  brokerEpoch: 7,
});

function service(streams: FakeStreams, links: FakeLinks, replicas: Partial<ReplicaManager> = {}, acksOverPeerLinks = true): ReplicationService {
  return new ReplicationService({ brokerId: 1, tickMs: 1000, acksOverPeerLinks }, streams, replicas as ReplicaManager, reader, reader, links);
}

describe('ReplicationService: how a follower acks travel', () => {
  it('sends one request per leader per turn over the peer link, each partition once with its latest log end', async () => {
    const streams = new FakeStreams();
    const links = new FakeLinks();
    const s = service(streams, links);
    s.reportAck(ack(2, 0, 10));
    s.reportAck(ack(3, 1, 5));
    s.reportAck(ack(2, 1, 4));
    s.reportAck(ack(2, 0, 12));
    await turn();
    expect(links.sent).toEqual([
      {
        url: 'ws://broker-2',
        event: Events.replicaProgress,
        payload: {
          replicaId: 1,
          brokerEpoch: 7,
          reports: [
            { topic: 't', partition: 0, leaderEpoch: 3, logEndOffset: 12 },
            { topic: 't', partition: 1, leaderEpoch: 3, logEndOffset: 4 },
          ],
        },
      },
      {
        url: 'ws://broker-3',
        event: Events.replicaProgress,
        payload: { replicaId: 1, brokerEpoch: 7, reports: [{ topic: 't', partition: 1, leaderEpoch: 3, logEndOffset: 5 }] },
      },
    ]);
    expect(streams.acks).toEqual([]);
    // the next turn is a new batch
    s.reportAck(ack(2, 0, 13));
    await turn();
    expect(links.sent).toHaveLength(3);
  });

  it('falls back to the Redis ack stream for a leader whose link is not open, or that is not live', async () => {
    const streams = new FakeStreams();
    const links = new FakeLinks();
    links.open.delete('ws://broker-3');
    const s = service(streams, links);
    s.reportAck(ack(2, 0, 10));
    s.reportAck(ack(3, 1, 5));
    s.reportAck(ack(4, 2, 6));
    await turn();
    expect(links.sent.map((x) => x.url)).toEqual(['ws://broker-2']);
    expect(streams.acks).toEqual([
      [
        { ...ack(3, 1, 5), replicaId: 1 },
        { ...ack(4, 2, 6), replicaId: 1 },
      ],
    ]);
  });

  it('sends a batch through Redis when its WebSocket send fails (refused or timed out)', async () => {
    const streams = new FakeStreams();
    const links = new FakeLinks();
    links.answer = () => Promise.reject(TributaryError.of('NETWORK_EXCEPTION', 'replicaProgress to ws://broker-2 failed: operation has timed out'));
    const s = service(streams, links);
    s.reportAck(ack(2, 0, 10));
    s.reportAck(ack(2, 1, 11));
    await turn();
    await turn();
    expect(links.sent).toHaveLength(1);
    expect(streams.acks).toEqual([
      [
        { ...ack(2, 0, 10), replicaId: 1 },
        { ...ack(2, 1, 11), replicaId: 1 },
      ],
    ]);
  });

  it('with REPLICA_ACKS_TRANSPORT=redis (the default) sends every report through the Redis ack stream, none over a link', async () => {
    const streams = new FakeStreams();
    const links = new FakeLinks();
    const s = service(streams, links, {}, false);
    s.reportAck(ack(2, 0, 10));
    s.reportAck(ack(3, 1, 5));
    await turn();
    expect(links.sent).toEqual([]);
    expect(streams.acks.flat().map((a) => [a.leaderId, a.partition, a.logEndOffset])).toEqual([
      [2, 0, 10],
      [3, 1, 5],
    ]);
  });

  it('never sends to itself over a link', async () => {
    const streams = new FakeStreams();
    const links = new FakeLinks();
    links.open.add('ws://broker-1');
    const s = service(streams, links);
    s.reportAck(ack(1, 0, 10));
    await turn();
    expect(links.sent).toEqual([]);
    expect(streams.acks).toHaveLength(1);
  });

  it("applies a leader's received reports for the replica and incarnation it is given, to the partitions it holds", () => {
    const calls: unknown[][] = [];
    const actor = { onReplicaProgress: (...args: unknown[]) => calls.push(args) } as unknown as PartitionActor;
    const replicas: Partial<ReplicaManager> = { get: (topic: string, partition: number) => (topic === 't' && partition === 0 ? actor : undefined) };
    const s = service(new FakeStreams(), new FakeLinks(), replicas);
    s.applyProgress(2, 9, [
      { topic: 't', partition: 0, leaderEpoch: 3, logEndOffset: 40 },
      { topic: 'other', partition: 0, leaderEpoch: 3, logEndOffset: 41 },
    ]);
    expect(calls).toEqual([[2, 40, 3, 9]]);
  });
});
