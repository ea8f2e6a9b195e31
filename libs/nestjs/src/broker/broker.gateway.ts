import { Inject } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode, requestScopeOf } from '@tributary/broker';
import {
  allOf,
  createOnClusterOrTopics,
  filteredByHandler,
  fromAnyBroker,
  fromBroker,
  fromReplicaIfNamed,
  onCluster,
  onTopics,
  anyone,
} from './authorization-rules';
import { requireProvenReplica } from './inter-broker-auth';
import { route, RouteServer } from './request-route';
import {
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
  type ReplicaProgressResponse,
  type ProduceResponse,
} from '@tributary/protocol';

const topicsOfPartitions = (request: { partitions: readonly { topic: string }[] }) => request.partitions.map((p) => p.topic);
const namesOfTopics = (request: { topics: readonly { name: string }[] }) => request.topics.map((t) => t.name);

/** Topics the principal may not describe are left out; one it named gets TOPIC_AUTHORIZATION_FAILED (Kafka's behaviour). */
const METADATA = route({
  event: Events.metadata,
  parse: (body: unknown) => parseRequest.metadata(body ?? {}),
  authorize: filteredByHandler,
  handle: async ({ node, gate }, request, socket): Promise<MetadataResponse> => {
    const response = await node.metadata(request);
    if (!gate.enabled) return response;
    const named = new Set(request.topics ?? []);
    const topics = response.topics.flatMap((t) => {
      if (gate.allows(socket, 'describe', 'topic', t.name)) return [t];
      if (!named.has(t.name)) return [];
      const e = gate.denied(socket, Events.metadata, 'describe', 'topic', t.name);
      return [{ name: t.name, errorCode: e.code, errorMessage: e.message, partitions: [], configs: {} }];
    });
    return { ...response, topics };
  },
  onError: (e, { node }) => ({ ...e, clusterId: node.config.clusterId, controllerId: -1, brokers: [], topics: [] }),
});

const PRODUCE = route({
  event: Events.produce,
  parse: parseRequest.produce,
  // all or nothing: one topic the principal may not write refuses the whole request
  authorize: onTopics('write', (request) => decodeProduceEntries(request.data).map((e) => e.topic)),
  handle: ({ node }, request) => node.produce(request),
  onError: (e) => ({ ...e, partitions: [] }),
});

const INIT_PRODUCER_ID = route({
  event: Events.initProducerId,
  parse: (body: unknown) => parseRequest.initProducerId(body ?? {}),
  authorize: anyone,
  handle: ({ node }, request) => node.initProducerId(request),
  onError: (e) => ({ ...e, producerId: -1, producerEpoch: -1 }),
});

const FETCH = route({
  event: Events.fetch,
  parse: parseRequest.fetch,
  authorize: allOf(fromReplicaIfNamed, onTopics('read', topicsOfPartitions)),
  handle: ({ node }, request, _socket, body) => node.fetch(request, requestScopeOf(body)),
  onError: (e) => ({ ...e, partitions: [], records: Buffer.alloc(0) }),
});

const LIST_OFFSETS = route({
  event: Events.listOffsets,
  parse: parseRequest.listOffsets,
  authorize: onTopics('describe', topicsOfPartitions),
  handle: ({ node }, request) => node.listOffsets(request),
  onError: (e) => ({ ...e, partitions: [] }),
});

const OFFSET_FOR_LEADER_EPOCH = route({
  event: Events.offsetForLeaderEpoch,
  parse: parseRequest.offsetForLeaderEpoch,
  authorize: fromBroker,
  handle: ({ node }, request) => node.offsetForLeaderEpoch(request),
  onError: (e) => ({ ...e, leaderEpoch: -1, endOffset: -1 }),
});

/**
 * A follower's log-end reports. The connection is checked before the body is read (parse is the
 * identity), so a client connection learns nothing but CLUSTER_AUTHORIZATION_FAILED; the reports
 * count for the broker and incarnation the connection proved, never for one the body names.
 */
const REPLICA_PROGRESS = route({
  event: Events.replicaProgress,
  parse: (body: unknown) => body,
  authorize: fromAnyBroker,
  handle: ({ node }, body, socket): ReplicaProgressResponse => {
    const request = parseReplicaProgress(body);
    const replica = requireProvenReplica(socket, Events.replicaProgress, request.replicaId, request.brokerEpoch);
    node.replicaProgress(replica.brokerId, replica.brokerEpoch, request.reports);
    return { errorCode: ErrorCode.NONE };
  },
  onError: (e): ReplicaProgressResponse => e,
});

const CREATE_TOPICS = route({
  event: Events.createTopics,
  parse: parseRequest.createTopics,
  authorize: createOnClusterOrTopics(namesOfTopics),
  handle: ({ node }, request) => node.createTopics(request),
  onError: (e) => ({ ...e, topics: [] }),
});

const ALTER_PARTITION_REASSIGNMENTS = route({
  event: Events.alterPartitionReassignments,
  parse: parseReassignmentRequest.alterPartitionReassignments,
  authorize: onCluster('alter'),
  handle: ({ node }, request) => node.alterPartitionReassignments(request),
  onError: (e) => ({ ...e, partitions: [] }),
});

const LIST_PARTITION_REASSIGNMENTS = route({
  event: Events.listPartitionReassignments,
  parse: (body: unknown) => parseReassignmentRequest.listPartitionReassignments(body ?? {}),
  authorize: onCluster('describe'),
  handle: ({ node }, request) => node.listPartitionReassignments(request),
  onError: (e) => ({ ...e, reassignments: [] }),
});

const ELECT_LEADERS = route({
  event: Events.electLeaders,
  parse: (body: unknown) => parseReassignmentRequest.electLeaders(body ?? {}),
  authorize: onCluster('alter'),
  handle: ({ node }, request) => node.electLeaders(request),
  onError: (e) => ({ ...e, partitions: [] }),
});

const DECOMMISSION_BROKER = route({
  event: Events.decommissionBroker,
  parse: parseReassignmentRequest.decommissionBroker,
  authorize: onCluster('alter'),
  handle: ({ node }, request) => node.decommissionBroker(request),
  onError: (e) => ({ ...e, moves: [] }),
});

const DELETE_TOPICS = route({
  event: Events.deleteTopics,
  parse: parseRequest.deleteTopics,
  authorize: onTopics('delete', (request) => request.topics),
  handle: ({ node }, request) => node.deleteTopics(request),
  onError: (e) => ({ ...e, topics: [] }),
});

const LIST_JOBS = route({
  event: Events.listJobs,
  parse: (body: unknown) => parseJobRequest.listJobs(body ?? {}),
  authorize: onCluster('describe'),
  handle: ({ node }, request) => node.listJobs(request),
  onError: (e) => ({ ...e, jobs: [] }),
});

const DESCRIBE_JOB = route({
  event: Events.describeJob,
  parse: parseJobRequest.describeJob,
  authorize: onCluster('describe'),
  handle: ({ node }, request) => node.describeJob(request),
  onError: (e) => ({ ...e, job: null }),
});

const DESCRIBE_CONFIGS = route({
  event: Events.describeConfigs,
  parse: parseTopicAdminRequest.describeConfigs,
  authorize: onTopics('describe-configs', (request) => request.topics),
  handle: ({ node }, request) => node.describeConfigs(request),
  onError: (e) => ({ ...e, topics: [] }),
});

const ALTER_CONFIGS = route({
  event: Events.alterConfigs,
  parse: parseTopicAdminRequest.alterConfigs,
  authorize: onTopics('alter-configs', namesOfTopics),
  handle: ({ node }, request) => node.alterConfigs(request),
  onError: (e) => ({ ...e, topics: [] }),
});

const CREATE_PARTITIONS = route({
  event: Events.createPartitions,
  parse: parseTopicAdminRequest.createPartitions,
  authorize: onTopics('alter', namesOfTopics),
  handle: ({ node }, request) => node.createPartitions(request),
  onError: (e) => ({ ...e, topics: [] }),
});

const DELETE_RECORDS = route({
  event: Events.deleteRecords,
  parse: parseTopicAdminRequest.deleteRecords,
  authorize: onTopics('delete', topicsOfPartitions),
  handle: ({ node }, request) => node.deleteRecords(request),
  onError: (e) => ({ ...e, partitions: [] }),
});

/**
 * The broker's WebSocket face: each request kind is a route above (parser, authorization rule,
 * handler, error shape) served by RouteServer, so nothing a client sends can throw past this
 * class: whatever goes wrong comes back as an error code in the acknowledgement.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class BrokerGateway {
  private readonly routes: RouteServer;

  constructor(@Inject(BrokerNode) node: BrokerNode) {
    this.routes = new RouteServer(node, 'BrokerGateway');
  }

  @SubscribeMessage(Events.metadata)
  metadata(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<MetadataResponse> {
    return this.routes.serve(METADATA, body, socket);
  }

  @SubscribeMessage(Events.produce)
  produce(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ProduceResponse> {
    return this.routes.serve(PRODUCE, body, socket);
  }

  @SubscribeMessage(Events.initProducerId)
  initProducerId(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<InitProducerIdResponse> {
    return this.routes.serve(INIT_PRODUCER_ID, body, socket);
  }

  @SubscribeMessage(Events.fetch)
  fetch(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<FetchResponse> {
    return this.routes.serve(FETCH, body, socket);
  }

  @SubscribeMessage(Events.listOffsets)
  listOffsets(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ListOffsetsResponse> {
    return this.routes.serve(LIST_OFFSETS, body, socket);
  }

  @SubscribeMessage(Events.offsetForLeaderEpoch)
  offsetForLeaderEpoch(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<OffsetForLeaderEpochResponse> {
    return this.routes.serve(OFFSET_FOR_LEADER_EPOCH, body, socket);
  }

  @SubscribeMessage(Events.replicaProgress)
  replicaProgress(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ReplicaProgressResponse> {
    return this.routes.serve(REPLICA_PROGRESS, body, socket);
  }

  @SubscribeMessage(Events.createTopics)
  createTopics(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<CreateTopicsResponse> {
    return this.routes.serve(CREATE_TOPICS, body, socket);
  }

  @SubscribeMessage(Events.alterPartitionReassignments)
  alterPartitionReassignments(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<AlterPartitionReassignmentsResponse> {
    return this.routes.serve(ALTER_PARTITION_REASSIGNMENTS, body, socket);
  }

  @SubscribeMessage(Events.listPartitionReassignments)
  listPartitionReassignments(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ListPartitionReassignmentsResponse> {
    return this.routes.serve(LIST_PARTITION_REASSIGNMENTS, body, socket);
  }

  @SubscribeMessage(Events.electLeaders)
  electLeaders(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ElectLeadersResponse> {
    return this.routes.serve(ELECT_LEADERS, body, socket);
  }

  @SubscribeMessage(Events.decommissionBroker)
  decommissionBroker(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DecommissionBrokerResponse> {
    return this.routes.serve(DECOMMISSION_BROKER, body, socket);
  }

  @SubscribeMessage(Events.deleteTopics)
  deleteTopics(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DeleteTopicsResponse> {
    return this.routes.serve(DELETE_TOPICS, body, socket);
  }

  @SubscribeMessage(Events.listJobs)
  listJobs(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<ListJobsResponse> {
    return this.routes.serve(LIST_JOBS, body, socket);
  }

  @SubscribeMessage(Events.describeJob)
  describeJob(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DescribeJobResponse> {
    return this.routes.serve(DESCRIBE_JOB, body, socket);
  }

  @SubscribeMessage(Events.describeConfigs)
  describeConfigs(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DescribeConfigsResponse> {
    return this.routes.serve(DESCRIBE_CONFIGS, body, socket);
  }

  @SubscribeMessage(Events.alterConfigs)
  alterConfigs(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<AlterConfigsResponse> {
    return this.routes.serve(ALTER_CONFIGS, body, socket);
  }

  @SubscribeMessage(Events.createPartitions)
  createPartitions(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<CreatePartitionsResponse> {
    return this.routes.serve(CREATE_PARTITIONS, body, socket);
  }

  @SubscribeMessage(Events.deleteRecords)
  deleteRecords(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<DeleteRecordsResponse> {
    return this.routes.serve(DELETE_RECORDS, body, socket);
  }
}
