import { Inject, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode, requestScopeOf } from '@tributary/broker';
import { requireBroker, requireReplicaIfNamed } from './inter-broker-auth';
import { respond, type ErrorShape } from './respond';
import { SecurityGate } from './security-gate';
import {
  CLUSTER_RESOURCE,
  Events,
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
  alterPartitionReassignments(@MessageBody() body: unknown): Promise<AlterPartitionReassignmentsResponse> {
    return this.handle(
      () => this.node.alterPartitionReassignments(parseReassignmentRequest.alterPartitionReassignments(body)),
      (e) => ({ ...e, partitions: [] }),
    );
  }

  @SubscribeMessage(Events.listPartitionReassignments)
  listPartitionReassignments(@MessageBody() body: unknown): Promise<ListPartitionReassignmentsResponse> {
    return this.handle(
      () => this.node.listPartitionReassignments(parseReassignmentRequest.listPartitionReassignments(body ?? {})),
      (e) => ({ ...e, reassignments: [] }),
    );
  }

  @SubscribeMessage(Events.electLeaders)
  electLeaders(@MessageBody() body: unknown): Promise<ElectLeadersResponse> {
    return this.handle(
      () => this.node.electLeaders(parseReassignmentRequest.electLeaders(body ?? {})),
      (e) => ({ ...e, partitions: [] }),
    );
  }

  @SubscribeMessage(Events.decommissionBroker)
  decommissionBroker(@MessageBody() body: unknown): Promise<DecommissionBrokerResponse> {
    return this.handle(
      () => this.node.decommissionBroker(parseReassignmentRequest.decommissionBroker(body)),
      (e) => ({ ...e, moves: [] }),
    );
  }

  @SubscribeMessage(Events.deleteTopics)
  deleteTopics(@MessageBody() body: unknown): Promise<DeleteTopicsResponse> {
    return this.handle(
      () => this.node.deleteTopics(parseRequest.deleteTopics(body)),
      (e) => ({ ...e, topics: [] }),
    );
  }

  @SubscribeMessage(Events.listJobs)
  listJobs(@MessageBody() body: unknown): Promise<ListJobsResponse> {
    return this.handle(
      () => this.node.listJobs(parseJobRequest.listJobs(body ?? {})),
      (e) => ({ ...e, jobs: [] }),
    );
  }

  @SubscribeMessage(Events.describeJob)
  describeJob(@MessageBody() body: unknown): Promise<DescribeJobResponse> {
    return this.handle(
      () => this.node.describeJob(parseJobRequest.describeJob(body)),
      (e) => ({ ...e, job: null }),
    );
  }

  @SubscribeMessage(Events.describeConfigs)
  describeConfigs(@MessageBody() body: unknown): Promise<DescribeConfigsResponse> {
    return this.handle(
      async () => this.node.describeConfigs(parseTopicAdminRequest.describeConfigs(body)),
      (e) => ({ ...e, topics: [] }),
    );
  }

  @SubscribeMessage(Events.alterConfigs)
  alterConfigs(@MessageBody() body: unknown): Promise<AlterConfigsResponse> {
    return this.handle(
      () => this.node.alterConfigs(parseTopicAdminRequest.alterConfigs(body)),
      (e) => ({ ...e, topics: [] }),
    );
  }

  @SubscribeMessage(Events.createPartitions)
  createPartitions(@MessageBody() body: unknown): Promise<CreatePartitionsResponse> {
    return this.handle(
      () => this.node.createPartitions(parseTopicAdminRequest.createPartitions(body)),
      (e) => ({ ...e, topics: [] }),
    );
  }

  @SubscribeMessage(Events.deleteRecords)
  deleteRecords(@MessageBody() body: unknown): Promise<DeleteRecordsResponse> {
    return this.handle(
      () => this.node.deleteRecords(parseTopicAdminRequest.deleteRecords(body)),
      (e) => ({ ...e, partitions: [] }),
    );
  }

  private handle<R>(run: () => Promise<R> | R, onError: (e: ErrorShape) => R): Promise<R> {
    return respond(this.logger, run, onError);
  }
}
