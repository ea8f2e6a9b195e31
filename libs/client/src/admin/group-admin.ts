import {
  Events,
  LATEST_TIMESTAMP,
  type DescribeGroupsRequest,
  type DescribeGroupsResponse,
  type DescribedGroup,
  type FetchOffsetsRequest,
  type FetchOffsetsResponse,
  type ListGroupsRequest,
  type ListGroupsResponse,
  type ListedGroup,
  type CommittedOffset,
  type CommitOffsetsRequest,
  type CommitOffsetsResponse,
  type OffsetCommitPartition,
  type DeleteGroupsRequest,
  type DeleteGroupsResponse,
  ErrorCode,
  TributaryError,
} from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { listOffsets } from '../cluster/list-offsets';
import { retry } from '../retry/retrier';
import { CoordinatorClient } from '../consumer/group/coordinator-client';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1: nothing committed */
  committedOffset: number;
  highWatermark: number;
  /** records not yet committed: highWatermark - committed (the whole partition when nothing is committed) */
  lag: number;
}

/**
 * Group state lives in Redis, so any broker answers these reads; they go to whichever broker
 * the cluster hands out, with the usual retries.
 */
export class GroupAdmin {
  constructor(private readonly cluster: Cluster) {}

  async listGroups(): Promise<ListedGroup[]> {
    const r = await this.ask<ListGroupsRequest, ListGroupsResponse>(Events.listGroups, {});
    return r.groups;
  }

  async describeGroups(groupIds: string[]): Promise<DescribedGroup[]> {
    const r = await this.ask<DescribeGroupsRequest, DescribeGroupsResponse>(Events.describeGroups, { groupIds });
    return r.groups;
  }

  async fetchOffsets(groupId: string, partitions?: { topic: string; partition: number }[]): Promise<CommittedOffset[]> {
    const r = await this.ask<FetchOffsetsRequest, FetchOffsetsResponse>(Events.fetchOffsets, { groupId, partitions });
    return r.offsets;
  }

  /**
   * Sets a group's committed offsets from outside the group (Kafka's alterConsumerGroupOffsets,
   * what `kafka-consumer-groups --reset-offsets` does): the coordinator refuses it with
   * UNKNOWN_MEMBER_ID while the group has live members, whose commits would race it.
   */
  async alterOffsets(groupId: string, offsets: OffsetCommitPartition[]): Promise<void> {
    const coordinator = new CoordinatorClient(this.cluster, groupId);
    await retry(
      () => coordinator.request<CommitOffsetsRequest, CommitOffsetsResponse>(Events.commitOffsets, { groupId, memberId: '', generationId: -1, offsets }),
      this.cluster.retryOptions,
      { onRetry: () => this.cluster.refreshMetadata() },
    );
  }

  /**
   * Deletes groups with no members: their state and committed offsets (Kafka's deleteGroups).
   * Each goes to its own coordinator; the first refusal throws (NON_EMPTY_GROUP while members
   * are live, GROUP_ID_NOT_FOUND), naming the group, after the groups before it were deleted.
   */
  async deleteGroups(groupIds: string[]): Promise<void> {
    for (const groupId of groupIds) {
      await retry(
        async () => {
          // a fresh lookup per attempt: a refusal in the answer (NOT_COORDINATOR) must find the coordinator again
          const coordinator = new CoordinatorClient(this.cluster, groupId);
          const r = await coordinator.request<DeleteGroupsRequest, DeleteGroupsResponse>(Events.deleteGroups, { groupIds: [groupId] });
          const code = r.results.find((x) => x.groupId === groupId)?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
          if (code === ErrorCode.NON_EMPTY_GROUP) throw TributaryError.of('NON_EMPTY_GROUP', `group '${groupId}' has live members: stop them first`);
          if (code === ErrorCode.GROUP_ID_NOT_FOUND) throw TributaryError.of('GROUP_ID_NOT_FOUND', `group '${groupId}' does not exist`);
          if (code !== ErrorCode.NONE) throw new TributaryError(code);
        },
        this.cluster.retryOptions,
        { onRetry: () => this.cluster.refreshMetadata() },
      );
    }
  }

  /** Lag per partition of every topic the group's members subscribe to or the group committed to. */
  async groupLag(groupId: string): Promise<PartitionLag[]> {
    const [described] = await this.describeGroups([groupId]);
    const committed = await this.fetchOffsets(groupId);
    const topics = new Set([...committed.map((c) => c.topic), ...(described?.members ?? []).flatMap((m) => m.topics)]);
    await this.cluster.addTargetTopics([...topics]);
    const partitions = [...topics]
      .sort()
      .flatMap((topic) => Array.from({ length: this.cluster.partitionCount(topic) ?? 0 }, (_, partition) => ({ topic, partition })));
    const ends = await listOffsets(
      this.cluster,
      partitions.map((p) => ({ ...p, timestamp: LATEST_TIMESTAMP })),
    );
    return partitions.map(({ topic, partition }) => {
      const highWatermark = ends.find((e) => e.topic === topic && e.partition === partition)?.offset ?? 0;
      const committedOffset = committed.find((c) => c.topic === topic && c.partition === partition)?.offset ?? -1;
      return { topic, partition, committedOffset, highWatermark, lag: Math.max(0, highWatermark - Math.max(0, committedOffset)) };
    });
  }

  private ask<Req, Res extends { errorCode: number }>(event: (typeof Events)[keyof typeof Events], payload: Req): Promise<Res> {
    return retry(() => this.cluster.controllerConnection().request<Req, Res>(event, payload), this.cluster.retryOptions, {
      onRetry: () => this.cluster.refreshMetadata(),
    });
  }
}
