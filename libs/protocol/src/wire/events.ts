/** socket.io event names: each is a request whose acknowledgement callback carries the response. */
export const Events = {
  metadata: 'metadata',
  produce: 'produce',
  fetch: 'fetch',
  listOffsets: 'listOffsets',
  createTopics: 'createTopics',
  deleteTopics: 'deleteTopics',
  findCoordinator: 'findCoordinator',
  joinGroup: 'joinGroup',
  syncGroup: 'syncGroup',
  heartbeat: 'heartbeat',
  leaveGroup: 'leaveGroup',
  commitOffsets: 'commitOffsets',
  fetchOffsets: 'fetchOffsets',
  listGroups: 'listGroups',
  describeGroups: 'describeGroups',
  offsetForLeaderEpoch: 'offsetForLeaderEpoch',
  /** KIP-455 reassignment, preferred leader election, decommission (answered by the controller; the list by any broker) */
  alterPartitionReassignments: 'alterPartitionReassignments',
  listPartitionReassignments: 'listPartitionReassignments',
  electLeaders: 'electLeaders',
  decommissionBroker: 'decommissionBroker',
  /** admin jobs (BullMQ): any broker lists and describes them */
  listJobs: 'listJobs',
  describeJob: 'describeJob',
  /** inter-broker handshake: a peer asks for a nonce, then proves it holds the cluster secret */
  brokerChallenge: 'brokerChallenge',
  brokerAuthenticate: 'brokerAuthenticate',
} as const;

export type EventName = (typeof Events)[keyof typeof Events];

/** acks as on the wire: -1 means all in-sync replicas. */
export type Acks = -1 | 0 | 1;

/** listOffsets special timestamps, Kafka's values. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
