/** socket.io event names: each is a request whose acknowledgement callback carries the response. */
export const Events = {
  metadata: 'metadata',
  produce: 'produce',
  fetch: 'fetch',
  listOffsets: 'listOffsets',
  createTopics: 'createTopics',
  deleteTopics: 'deleteTopics',
  describeConfigs: 'describeConfigs',
  alterConfigs: 'alterConfigs',
  createPartitions: 'createPartitions',
  deleteRecords: 'deleteRecords',
  findCoordinator: 'findCoordinator',
  joinGroup: 'joinGroup',
  syncGroup: 'syncGroup',
  heartbeat: 'heartbeat',
  leaveGroup: 'leaveGroup',
  commitOffsets: 'commitOffsets',
  fetchOffsets: 'fetchOffsets',
  listGroups: 'listGroups',
  describeGroups: 'describeGroups',
  /** Kafka's DeleteGroups: empty groups only, sent to each group's coordinator */
  deleteGroups: 'deleteGroups',
  /** quotas (Kafka's AlterClientQuotas/DescribeClientQuotas) and who this connection is */
  alterClientQuotas: 'alterClientQuotas',
  describeClientQuotas: 'describeClientQuotas',
  describeConnection: 'describeConnection',
  offsetForLeaderEpoch: 'offsetForLeaderEpoch',
  /** KIP-455 reassignment, preferred leader election, decommission (answered by the controller; the list by any broker) */
  alterPartitionReassignments: 'alterPartitionReassignments',
  listPartitionReassignments: 'listPartitionReassignments',
  electLeaders: 'electLeaders',
  decommissionBroker: 'decommissionBroker',
  /** admin jobs (BullMQ): any broker lists and describes them */
  listJobs: 'listJobs',
  describeJob: 'describeJob',
  /** an idempotent producer's id and epoch (KIP-98), answered by any broker */
  initProducerId: 'initProducerId',
  /** inter-broker handshake: a peer asks for a nonce, then proves it holds the cluster secret */
  brokerChallenge: 'brokerChallenge',
  brokerAuthenticate: 'brokerAuthenticate',
  /** inter-broker: a follower's log-end reports to its leader, batched over partitions */
  replicaProgress: 'replicaProgress',
  /** client authentication (Kafka's SaslHandshake/SaslAuthenticate): the first requests on a connection when AUTH is on */
  saslHandshake: 'saslHandshake',
  saslAuthenticate: 'saslAuthenticate',
  /** SCRAM users (Kafka's AlterUserScramCredentials / DescribeUserScramCredentials) */
  createUser: 'createUser',
  deleteUser: 'deleteUser',
  listUsers: 'listUsers',
  /** ACLs (Kafka's CreateAcls / DeleteAcls / DescribeAcls) */
  createAcls: 'createAcls',
  deleteAcls: 'deleteAcls',
  describeAcls: 'describeAcls',
} as const;

export type EventName = (typeof Events)[keyof typeof Events];

/** acks as on the wire: -1 means all in-sync replicas. */
export type Acks = -1 | 0 | 1;

/** listOffsets special timestamps, Kafka's values. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
