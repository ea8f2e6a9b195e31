import { Inject, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { BrokerNode } from '@tributary/broker';
import { requireBroker, requireReplicaIfNamed } from './inter-broker-auth';
import { respond, type ErrorShape } from './respond';
import {
  Events,
  parseReassignmentRequest,
  parseJobRequest,
  parseRequest,
  type AlterPartitionReassignmentsResponse,
  type DecommissionBrokerResponse,
  type ElectLeadersResponse,
  type ListPartitionReassignmentsResponse,
  type CreateTopicsResponse,
  type DeleteTopicsResponse,
  type DescribeJobResponse,
  type ListJobsResponse,
  type FetchResponse,
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

  constructor(@Inject(BrokerNode) private readonly node: BrokerNode) {}

  @SubscribeMessage(Events.metadata)
  metadata(@MessageBody() body: unknown): Promise<MetadataResponse> {
    return this.handle(
      () => this.node.metadata(parseRequest.metadata(body ?? {})),
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
  produce(@MessageBody() body: unknown): Promise<ProduceResponse> {
    return this.handle(
      () => this.node.produce(parseRequest.produce(body)),
      (e) => ({ ...e, partitions: [] }),
    );
  }

  @SubscribeMessage(Events.fetch)
  fetch(@MessageBody() body: unknown, @ConnectedSocket() socket: Socket): Promise<FetchResponse> {
    return this.handle(
      () => {
        const request = parseRequest.fetch(body);
        requireReplicaIfNamed(socket, Events.fetch, request.replicaId, request.replicaBrokerEpoch);
        return this.node.fetch(request);
      },
      (e) => ({ ...e, partitions: [], records: Buffer.alloc(0) }),
    );
  }

  @SubscribeMessage(Events.listOffsets)
  listOffsets(@MessageBody() body: unknown): Promise<ListOffsetsResponse> {
    return this.handle(
      async () => this.node.listOffsets(parseRequest.listOffsets(body)),
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
  createTopics(@MessageBody() body: unknown): Promise<CreateTopicsResponse> {
    return this.handle(
      () => this.node.createTopics(parseRequest.createTopics(body)),
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

  private handle<R>(run: () => Promise<R> | R, onError: (e: ErrorShape) => R): Promise<R> {
    return respond(this.logger, run, onError);
  }
}
