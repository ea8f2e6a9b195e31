import {
  ErrorCode,
  parseReassignmentRequest,
  type AlterPartitionReassignmentsResponse,
  type DecommissionBrokerResponse,
  type ElectLeadersResponse,
  type ListPartitionReassignmentsResponse,
  type PlannedMove,
} from '@tributary/protocol';
/** The part of a fake partition these answers change. */
interface FakeReplicaSet {
  leader: number;
  leaderEpoch: number;
  replicas?: number[];
}

/** What the fake's reassignment answers need from the fake cluster. */
export interface FakeReassignmentCluster {
  readonly topics: ReadonlyMap<string, FakeReplicaSet[]>;
  liveBrokerIds(): number[];
}

function replicasOf(p: FakeReplicaSet): number[] {
  return p.replicas ?? [p.leader];
}

/**
 * The fake cluster's reassignment, election and decommission answers: a reassignment
 * completes at once (there is no data to copy), so listPartitionReassignments is always empty;
 * a leader that leaves hands over to the target's first replica, a new epoch.
 */
export const fakeReassignments = {
  alter(cluster: FakeReassignmentCluster, payload: unknown): AlterPartitionReassignmentsResponse {
    const req = parseReassignmentRequest.alterPartitionReassignments(payload);
    const live = cluster.liveBrokerIds();
    return {
      errorCode: ErrorCode.NONE,
      partitions: req.partitions.map(({ topic, partition, replicas }) => {
        const p = cluster.topics.get(topic)?.[partition];
        if (!p) return { topic, partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `${topic}-${partition} does not exist` };
        if (replicas === null)
          return { topic, partition, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: `${topic}-${partition} has no reassignment in progress` };
        const dead = replicas.filter((r) => !live.includes(r));
        if (dead.length > 0)
          return { topic, partition, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `broker(s) ${dead.join(', ')} are not live` };
        moveTo(p, replicas);
        return { topic, partition, errorCode: ErrorCode.NONE };
      }),
    };
  },

  list(payload: unknown): ListPartitionReassignmentsResponse {
    parseReassignmentRequest.listPartitionReassignments(payload ?? {});
    return { errorCode: ErrorCode.NONE, reassignments: [] };
  },

  elect(cluster: FakeReassignmentCluster, payload: unknown): ElectLeadersResponse {
    const req = parseReassignmentRequest.electLeaders(payload ?? {});
    const live = cluster.liveBrokerIds();
    const wanted = req.partitions ?? [...cluster.topics.entries()].flatMap(([topic, ps]) => ps.map((_, partition) => ({ topic, partition })));
    return {
      errorCode: ErrorCode.NONE,
      partitions: wanted.map(({ topic, partition }) => {
        const p = cluster.topics.get(topic)?.[partition];
        if (!p) return { topic, partition, leader: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const preferred = replicasOf(p)[0];
        if (p.leader === preferred) return { topic, partition, leader: p.leader, errorCode: ErrorCode.ELECTION_NOT_NEEDED };
        if (!live.includes(preferred)) return { topic, partition, leader: p.leader, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE };
        p.leader = preferred;
        p.leaderEpoch++;
        return { topic, partition, leader: preferred, errorCode: ErrorCode.NONE };
      }),
    };
  },

  decommission(cluster: FakeReassignmentCluster, payload: unknown): DecommissionBrokerResponse {
    const { brokerId } = parseReassignmentRequest.decommissionBroker(payload);
    const others = cluster.liveBrokerIds().filter((b) => b !== brokerId);
    const moves: PlannedMove[] = [];
    for (const [topic, ps] of cluster.topics) {
      ps.forEach((p, partition) => {
        const from = replicasOf(p);
        const at = from.indexOf(brokerId);
        const to = others.find((b) => !from.includes(b));
        if (at < 0 || to === undefined) return;
        const target = [...from];
        target[at] = to;
        moveTo(p, target);
        moves.push({ topic, partition, from, to: target });
      });
    }
    return { errorCode: ErrorCode.NONE, moves };
  },
};

function moveTo(p: FakeReplicaSet, replicas: number[]): void {
  p.replicas = [...replicas];
  if (!replicas.includes(p.leader)) {
    p.leader = replicas[0];
    p.leaderEpoch++;
  }
}
