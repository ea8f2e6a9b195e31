import { Inject, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode, requestScopeOf } from '@tributary/broker';
import { requireBroker, requireProvenReplica, requireReplicaIfNamed } from './inter-broker-auth';
import { respond, type ErrorShape } from './respond';
import { SecurityGate } from './security-gate';
import {
  CLUSTER_RESOURCE,
  ErrorCode,
  Events,
  parseReplicaProgress,
  parseReassignmentRequest,
  parseJobRequest,
  decodeProduceEntries,
  parseRequest,
  parseTopicAdminRequest,
  type AlterConfigsResponse,
  type CreatePartitionsResponse,
  type DeleteRecordsResponse,
  type DescribeConfigsResponse,
  type AlterPartitionReassignmentsResponse,
  type DecommissionBrokerResponse,
  type ElectLeadersResponse,
  type ListPartitionReassignmentsResponse,
  type CreateTopicsResponse,
  type DeleteTopicsResponse,
  type DescribeJobResponse,
  type ListJobsResponse,
  type FetchResponse,
  type InitProducerIdResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type OffsetForLeaderEpochResponse,
  type ProduceResponse,
  type ReplicaProgressResponse,
} from '@tributary/protocol';

/**
 * The broker's WebSocket face: every request is validated here against its schema, then
 * handed to the broker node. Whatever goes wrong comes back as an error code in the
 * acknowledgement; nothing a client sends can throw past this class.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class BrokerGateway {
  private readonly logger = new Logger('BrokerGateway');

  private readonly gate: SecurityGate;

  constructor(@Inject(BrokerNode) private readonly node: BrokerNode) {
    this.gate = new SecurityGate(node.security);
  }

  /** Topics the principal may not describe are left out; one it named gets TOPIC_AUTHORIZATION_FAILED (Kafka's behaviour). */
  @SubscribeMessage(Events.metadata)
  metadata(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<MetadataResponse> {
    return this.handle(
      async () => {
        const request = parseRequest.metadata(body ?? {});
        const response = await this.node.metadata(request);
        if (!this.gate.enabled) return response;
        const named = new Set(request.topics ?? []);
        const topics = response.topics.flatMap((t) => {
          if (this.gate.allows(socket, 'describe', 'topic', t.name)) return [t];
          if (!named.has(t.name)) return [];
          const e = this.gate.denied(socket, Events.metadata, 'describe', 'topic', t.name);
          return [{ name: t.name, errorCode: e.code, errorMessage: e.message, partitions: [], configs: {} }];
        });
        return { ...response, topics };
      },
      (e) => ({
        ...e,
        clusterId: this.node.config.clusterId,
        controllerId: -1,
        brokers: [],
        topics: [],
      }),
    );
  }

  @SubscribeMessage(Events.produce)
  produce(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ProduceResponse> {
    return this.handle(
      () => {
        const request = parseRequest.produce(body);
        // all or nothing: one topic the principal may not write refuses the whole request
        if (this.gate.enabled)
          for (const topic of new Set(decodeProduceEntries(request.data).map((e) => e.topic)))
            this.gate.require(socket, Events.produce, 'write', 'topic', topic);
        return this.node.produce(request);
      },
      (e) => ({ ...e, partitions: [] }),
    );
  }

  @SubscribeMessage(Events.initProducerId)
  initProducerId(@MessageBody() body: unknown): Promise<InitProducerIdResponse> {
    return this.handle(
      () => this.node.initProducerId(parseRequest.initProducerId(body ?? {})),
      (e) => ({ ...e, producerId: -1, producerEpoch: -1 }),
    );
  }

  @SubscribeMessage(Events.fetch)
  fetch(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<FetchResponse> {
    return this.handle(
      () => {
        const request = parseRequest.fetch(body);
        requireReplicaIfNamed(socket, Events.fetch, request.replicaId, request.replicaBrokerEpoch);
        for (const topic of new Set(request.partitions.map((p) => p.topic))) this.gate.require(socket, Events.fetch, 'read', 'topic', topic);
        return this.node.fetch(request, requestScopeOf(body));
      },
      (e) => ({ ...e, partitions: [], records: Buffer.alloc(0) }),
    );
  }

  @SubscribeMessage(Events.listOffsets)
  listOffsets(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ListOffsetsResponse> {
    return this.handle(
      async () => {
        const request = parseRequest.listOffsets(body);
        for (const topic of new Set(request.partitions.map((p) => p.topic))) this.gate.require(socket, Events.listOffsets, 'describe', 'topic', topic);
        return this.node.listOffsets(request);
      },
      (e) => ({ ...e, partitions: [] }),
    );
  }

  @SubscribeMessage(Events.offsetForLeaderEpoch)
  offsetForLeaderEpoch(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<OffsetForLeaderEpochResponse> {
    return this.handle(
      async () => {
        const request = parseRequest.offsetForLeaderEpoch(body);
        requireBroker(socket, Events.offsetForLeaderEpoch, request.replicaId);
        return this.node.offsetForLeaderEpoch(request);
      },
      (e) => ({ ...e, leaderEpoch: -1, endOffset: -1 }),
    );
  }

  /**
   * A follower's log-end reports. The connection is checked before the body is read, so a
   * client connection learns nothing but CLUSTER_AUTHORIZATION_FAILED; the reports count for
   * the broker and incarnation the connection proved, never for one the body names.
   */
  @SubscribeMessage(Events.replicaProgress)
  replicaProgress(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ReplicaProgressResponse> {
    return this.handle(
      () => {
        requireBroker(socket, Events.replicaProgress, undefined);
        const request = parseReplicaProgress(body);
        const replica = requireProvenReplica(socket, Events.replicaProgress, request.replicaId, request.brokerEpoch);
        this.node.replicaProgress(replica.brokerId, replica.brokerEpoch, request.reports);
        const ok: ReplicaProgressResponse = { errorCode: ErrorCode.NONE };
        return ok;
      },
      (e) => e,
    );
  }

  @SubscribeMessage(Events.createTopics)
  createTopics(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<CreateTopicsResponse> {
    return this.handle(
      () => {
        const request = parseRequest.createTopics(body);
        // Kafka's rule: create on the cluster, or on the topic's name (a prefixed ACL lets a team create its own topics)
        for (const t of request.topics) {
          this.gate.requireAny(socket, Events.createTopics, 'create', [
            ['cluster', CLUSTER_RESOURCE],
            ['topic', t.name],
          ]);
        }
        return this.node.createTopics(request);
      },
      (e) => ({ ...e, topics: [] }),
    );
  }

  @SubscribeMessage(Events.alterPartitionReassignments)
  alterPartitionReassignments(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<AlterPartitionReassignmentsResponse> {
    return this.handle(
      () => {
        const request = parseReassignmentRequest.alterPartitionReassignments(body);
        this.gate.require(socket, Events.alterPartitionReassignments, 'alter', 'cluster', CLUSTER_RESOURCE);
        return this.node.alterPartitionReassignments(request);
      },
      (e) => ({ ...e, partitions: [] }),
    );
  }

  @SubscribeMessage(Events.listPartitionReassignments)
  listPartitionReassignments(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ListPartitionReassignmentsResponse> {
    return this.handle(
      () => {
        const request = parseReassignmentRequest.listPartitionReassignments(body ?? {});
        this.gate.require(socket, Events.listPartitionReassignments, 'describe', 'cluster', CLUSTER_RESOURCE);
        return this.node.listPartitionReassignments(request);
      },
      (e) => ({ ...e, reassignments: [] }),
    );
  }

  @SubscribeMessage(Events.electLeaders)
  electLeaders(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ElectLeadersResponse> {
    return this.handle(
      () => {
        const request = parseReassignmentRequest.electLeaders(body ?? {});
        this.gate.require(socket, Events.electLeaders, 'alter', 'cluster', CLUSTER_RESOURCE);
        return this.node.electLeaders(request);
      },
      (e) => ({ ...e, partitions: [] }),
    );
  }

  @SubscribeMessage(Events.decommissionBroker)
  decommissionBroker(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DecommissionBrokerResponse> {
    return this.handle(
      () => {
        const request = parseReassignmentRequest.decommissionBroker(body);
        this.gate.require(socket, Events.decommissionBroker, 'alter', 'cluster', CLUSTER_RESOURCE);
        return this.node.decommissionBroker(request);
      },
      (e) => ({ ...e, moves: [] }),
    );
  }

  @SubscribeMessage(Events.deleteTopics)
  deleteTopics(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DeleteTopicsResponse> {
    return this.handle(
      () => {
        const request = parseRequest.deleteTopics(body);
        for (const topic of new Set(request.topics)) this.gate.require(socket, Events.deleteTopics, 'delete', 'topic', topic);
        return this.node.deleteTopics(request);
      },
      (e) => ({ ...e, topics: [] }),
    );
  }

  @SubscribeMessage(Events.listJobs)
  listJobs(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ListJobsResponse> {
    return this.handle(
      () => {
        const request = parseJobRequest.listJobs(body ?? {});
        this.gate.require(socket, Events.listJobs, 'describe', 'cluster', CLUSTER_RESOURCE);
        return this.node.listJobs(request);
      },
      (e) => ({ ...e, jobs: [] }),
    );
  }

  @SubscribeMessage(Events.describeJob)
  describeJob(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DescribeJobResponse> {
    return this.handle(
      () => {
        const request = parseJobRequest.describeJob(body);
        this.gate.require(socket, Events.describeJob, 'describe', 'cluster', CLUSTER_RESOURCE);
        return this.node.describeJob(request);
      },
      (e) => ({ ...e, job: null }),
    );
  }

  @SubscribeMessage(Events.describeConfigs)
  describeConfigs(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DescribeConfigsResponse> {
    return this.handle(
      async () => {
        const request = parseTopicAdminRequest.describeConfigs(body);
        for (const topic of new Set(request.topics)) this.gate.require(socket, Events.describeConfigs, 'describe-configs', 'topic', topic);
        return this.node.describeConfigs(request);
      },
      (e) => ({ ...e, topics: [] }),
    );
  }

  @SubscribeMessage(Events.alterConfigs)
  alterConfigs(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<AlterConfigsResponse> {
    return this.handle(
      () => {
        const request = parseTopicAdminRequest.alterConfigs(body);
        for (const t of request.topics) this.gate.require(socket, Events.alterConfigs, 'alter-configs', 'topic', t.name);
        return this.node.alterConfigs(request);
      },
      (e) => ({ ...e, topics: [] }),
    );
  }

  @SubscribeMessage(Events.createPartitions)
  createPartitions(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<CreatePartitionsResponse> {
    return this.handle(
      () => {
        const request = parseTopicAdminRequest.createPartitions(body);
        for (const t of request.topics) this.gate.require(socket, Events.createPartitions, 'alter', 'topic', t.name);
        return this.node.createPartitions(request);
      },
      (e) => ({ ...e, topics: [] }),
    );
  }

  @SubscribeMessage(Events.deleteRecords)
  deleteRecords(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DeleteRecordsResponse> {
    return this.handle(
      () => {
        const request = parseTopicAdminRequest.deleteRecords(body);
        for (const topic of new Set(request.partitions.map((p) => p.topic))) this.gate.require(socket, Events.deleteRecords, 'delete', 'topic', topic);
        return this.node.deleteRecords(request);
      },
      (e) => ({ ...e, partitions: [] }),
    );
  }

  private handle<R>(run: () => Promise<R> | R, onError: (e: ErrorShape) => R): Promise<R> {
    return respond(this.logger, run, onError);
  }
}
