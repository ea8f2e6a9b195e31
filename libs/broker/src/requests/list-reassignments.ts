import type { ClusterSnapshot } from '@tributary/coordination';
import {
  ErrorCode,
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponse,
  type OngoingPartitionReassignment,
} from '@tributary/protocol';

/** Kafka's ListPartitionReassignments, from a broker's metadata: every partition with replicas being added or removed. */
export function listReassignments(snapshot: ClusterSnapshot, request: ListPartitionReassignmentsRequest): ListPartitionReassignmentsResponse {
  const wanted = request.topics ? new Set(request.topics) : null;
  const reassignments: OngoingPartitionReassignment[] = [];
  for (const { topic, partitions } of snapshot.topics.values()) {
    if (wanted && !wanted.has(topic.name)) continue;
    for (const p of partitions) {
      if (p.addingReplicas === undefined && p.removingReplicas === undefined) continue;
      reassignments.push({
        topic: p.topic,
        partition: p.partition,
        replicas: p.replicas,
        addingReplicas: p.addingReplicas ?? [],
        removingReplicas: p.removingReplicas ?? [],
      });
    }
  }
  return { errorCode: ErrorCode.NONE, reassignments };
}
