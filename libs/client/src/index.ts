/**
 * @tributary/client: the TypeScript SDK for Tributary, shaped like KafkaJS. Runs in Node and
 * in browsers (it uses only socket.io-client and the 'buffer' package).
 */
export { Tributary, type TributaryConfig, type AdminOptions } from './tributary';
export type { TlsOptions } from './connection/tls-options';

export { Producer } from './producer/producer';
export type { AcksOption, Message, ProducerBatchRequest, ProducerOptions, ProducerRecord, RecordMetadata, TopicMessages } from './producer/types';

export { Consumer } from './consumer/consumer';
export type {
  Batch,
  ConsumedMessage,
  ConsumerEvents,
  ConsumerOptions,
  EachBatchPayload,
  EachMessagePayload,
  RunConfig,
  TopicPartitionOffset,
  TopicPartitions,
} from './consumer/types';

export { Admin } from './admin/admin';
export { GroupAdmin, type PartitionLag } from './admin/group-admin';
export {
  ReassignmentAdmin,
  type AlterPartitionReassignmentsOptions,
  type ElectLeadersOptions,
  type ListPartitionReassignmentsOptions,
  type ListPartitionReassignmentsResult,
  type PartitionReassignment,
} from './admin/reassignment-admin';
export type { ElectLeaderResult, PlannedMove } from '@tributary/protocol';
export { JobAdmin, type WaitForJobOptions } from './admin/job-admin';
export type { JobInfo, JobProgressInfo, JobStateName } from '@tributary/protocol';
export type { ConnectionDescription } from './admin/quota-admin';
export type { ClientQuotaEntry, QuotaEntity, QuotaValues } from '@tributary/protocol';
export type { AclSpec, CreateUserOptions } from './admin/security-admin';
export type { ClientAuth } from './auth/client-auth';
export { ScramClient, scramCredential } from './auth/scram-client';
export type { AclBinding, AclFilter, AclOperation, AclPatternType, AclPermission, AclResourceType, ListedUser, ScramMechanism } from '@tributary/protocol';
export { GroupMembershipError } from './consumer/group/group-errors';
export type { GroupJoinEvent, GroupOptions, SubscribeOptions } from './consumer/group/group-types';
export type { AssignorName, DescribedGroup, ListedGroup, CommittedOffset } from '@tributary/protocol';
export type {
  ClusterDescription,
  ConfigEntry,
  CreateTopicsOptions,
  DeletedTopic,
  DeleteTopicsOptions,
  PartitionInfo,
  PartitionOffset,
  PartitionOffsets,
  TopicInfo,
  TopicSpec,
} from './admin/types';
export type {
  AlterConfigsOptions,
  CreatePartitionsOptions,
  DeleteRecordsOptions,
  DeleteRecordsResult,
  DescribeConfigsOptions,
  TopicConfigDescription,
} from './admin/types';

export {
  AggregateTopicError,
  AuthenticationError,
  ClientStateError,
  ConnectionError,
  InvalidConfigError,
  JobFailedError,
  RequestTimeoutError,
  RetriesExhaustedError,
  TopicError,
} from './errors';
export { ErrorCode, TributaryError, isRetriable, type ErrorName } from '@tributary/protocol';

export { LogLevel, type LogEntry, type Logger, type LogSink } from './logger/logger';
export type { RetryOptions } from './retry/retrier';
export type { TopicPartition } from './util/topic-partition';
