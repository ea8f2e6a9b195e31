/**
 * One table of error codes for every response on the wire. The numbers are Kafka's own, so
 * anyone who knows Kafka can read them, and a Kafka wire protocol can be added later without
 * renumbering. `retriable` follows Kafka's RetriableException hierarchy: the client refreshes
 * metadata and retries these; every other code is surfaced to the caller at once.
 */
export const ErrorCode = {
  NONE: 0,
  UNKNOWN_SERVER_ERROR: -1,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_FETCH_SIZE: 4,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  BROKER_NOT_AVAILABLE: 8,
  REPLICA_NOT_AVAILABLE: 9,
  MESSAGE_TOO_LARGE: 10,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  NOT_CONTROLLER: 41,
  INVALID_REQUEST: 42,
  POLICY_VIOLATION: 44,
  KAFKA_STORAGE_ERROR: 56,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  STALE_BROKER_EPOCH: 77,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  INVALID_RECORD: 87,
  DUPLICATE_BROKER_REGISTRATION: 101,
  FENCED_MEMBER_EPOCH: 110,
  THROTTLING_QUOTA_EXCEEDED: 89,
  PREFERRED_LEADER_NOT_AVAILABLE: 80,
  ELECTION_NOT_NEEDED: 84,
  NO_REASSIGNMENT_IN_PROGRESS: 85,
  // Tributary's own, with no Kafka equivalent: from 1000 up, clear of Kafka's numbers.
  JOB_NOT_FOUND: 1001,
  JOB_FAILED: 1002,
} as const;

export type ErrorName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorName];

interface ErrorInfo {
  readonly name: ErrorName;
  readonly retriable: boolean;
  readonly description: string;
}

const RETRIABLE: ReadonlySet<ErrorName> = new Set<ErrorName>([
  'CORRUPT_MESSAGE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'REQUEST_TIMED_OUT',
  'BROKER_NOT_AVAILABLE',
  'REPLICA_NOT_AVAILABLE',
  'NETWORK_EXCEPTION',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NOT_CONTROLLER',
  'KAFKA_STORAGE_ERROR',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'THROTTLING_QUOTA_EXCEEDED',
  'PREFERRED_LEADER_NOT_AVAILABLE',
]);

const DESCRIPTIONS: Record<ErrorName, string> = {
  NONE: 'no error',
  UNKNOWN_SERVER_ERROR: 'the broker hit an unexpected error',
  OFFSET_OUT_OF_RANGE: 'the requested offset is outside the range of offsets held for the partition',
  CORRUPT_MESSAGE: 'the record batch failed its CRC or could not be parsed',
  UNKNOWN_TOPIC_OR_PARTITION: 'the topic or partition does not exist',
  INVALID_FETCH_SIZE: 'the requested fetch size is invalid',
  LEADER_NOT_AVAILABLE: 'the partition has no leader right now (election in progress)',
  NOT_LEADER_OR_FOLLOWER: 'this broker is not the leader for the partition',
  REQUEST_TIMED_OUT: 'the request timed out',
  BROKER_NOT_AVAILABLE: 'the broker is not available',
  REPLICA_NOT_AVAILABLE: 'the replica is not available',
  MESSAGE_TOO_LARGE: 'the record batch is larger than max.message.bytes',
  NETWORK_EXCEPTION: 'the connection to the broker was lost',
  COORDINATOR_LOAD_IN_PROGRESS: 'the group coordinator is loading',
  COORDINATOR_NOT_AVAILABLE: 'the group coordinator is not available',
  NOT_COORDINATOR: 'this broker is not the coordinator for the group',
  INVALID_TOPIC_EXCEPTION: 'the topic name is invalid',
  RECORD_LIST_TOO_LARGE: 'the request is larger than the broker accepts',
  NOT_ENOUGH_REPLICAS: 'fewer in-sync replicas than min.insync.replicas',
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 'written by the leader, but the in-sync replicas shrank below min.insync.replicas',
  INVALID_REQUIRED_ACKS: 'acks must be 0, 1 or -1 (all)',
  ILLEGAL_GENERATION: 'the generation id is not current for the group',
  INCONSISTENT_GROUP_PROTOCOL: 'the member protocols are incompatible with the group',
  INVALID_GROUP_ID: 'the group id is invalid',
  UNKNOWN_MEMBER_ID: 'the member id is not known to the coordinator',
  INVALID_SESSION_TIMEOUT: 'the session timeout is out of range',
  REBALANCE_IN_PROGRESS: 'the group is rebalancing',
  CLUSTER_AUTHORIZATION_FAILED: 'only a broker of this cluster, authenticated on this connection as the replica it names, may send this request',
  INVALID_TIMESTAMP: 'the timestamp is invalid',
  UNSUPPORTED_VERSION: 'the version of the request is not supported',
  TOPIC_ALREADY_EXISTS: 'the topic already exists',
  INVALID_PARTITIONS: 'the number of partitions is invalid',
  INVALID_REPLICATION_FACTOR: 'the replication factor is invalid or larger than the number of live brokers',
  INVALID_REPLICA_ASSIGNMENT: 'the replica assignment is invalid',
  INVALID_CONFIG: 'a configuration value is invalid',
  NOT_CONTROLLER: 'this broker is not the controller',
  INVALID_REQUEST: 'the request is malformed',
  POLICY_VIOLATION: 'the request breaks a broker limit (e.g. partitions per broker)',
  KAFKA_STORAGE_ERROR: 'the broker could not read or write its log',
  NON_EMPTY_GROUP: 'the group is not empty',
  GROUP_ID_NOT_FOUND: 'the group does not exist',
  FENCED_LEADER_EPOCH: 'the leader epoch is older than the current one',
  UNKNOWN_LEADER_EPOCH: 'the leader epoch is newer than the broker knows',
  UNSUPPORTED_COMPRESSION_TYPE: 'the compression type is not supported',
  STALE_BROKER_EPOCH: 'the broker epoch is from an older incarnation of that broker id',
  MEMBER_ID_REQUIRED: 'the group requires a member id: join again with the one given',
  GROUP_MAX_SIZE_REACHED: 'the group has reached its maximum size',
  INVALID_RECORD: 'a record in the batch is invalid',
  DUPLICATE_BROKER_REGISTRATION: 'another live process holds that broker id',
  JOB_NOT_FOUND: 'no admin job has that id (never submitted, or finished long ago and trimmed)',
  JOB_FAILED: 'the admin job failed for good after all its attempts',
  FENCED_MEMBER_EPOCH: 'the group member does not own this partition in its generation: it must drop the partition and rejoin',
  THROTTLING_QUOTA_EXCEEDED: 'too many requests are waiting on this connection; retry after a backoff',
  PREFERRED_LEADER_NOT_AVAILABLE: 'the preferred leader is not live or not in the ISR',
  ELECTION_NOT_NEEDED: 'the preferred replica already leads the partition',
  NO_REASSIGNMENT_IN_PROGRESS: 'no reassignment of the partition is in progress to cancel',
};

const BY_CODE = new Map<number, ErrorInfo>(
  (Object.keys(ErrorCode) as ErrorName[]).map((name) => [ErrorCode[name], { name, retriable: RETRIABLE.has(name), description: DESCRIPTIONS[name] }]),
);

export function errorInfo(code: number): ErrorInfo {
  return BY_CODE.get(code) ?? { name: 'UNKNOWN_SERVER_ERROR', retriable: false, description: `unknown error code ${code}` };
}

export function isRetriable(code: number): boolean {
  return errorInfo(code).retriable;
}
