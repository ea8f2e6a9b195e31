export * from './types';
export { Keys } from './keys';
export { Coordination, type CoordinationOptions } from './coordination';
export { CoordinationUnavailableError } from './store/redis-connection';
export type { ClusterStore } from './store/cluster-store';
export type {
  BrokerRegistry,
  ControllerStore,
  InterBrokerSecretStore,
  IsrStore,
  LeadershipRefusal,
  LeadershipStore,
  MetadataSource,
  ReassignmentStore,
  ElectLeaderOutcome,
  TopicDeletionStore,
  TopicDeletionOutcome,
} from './store/store-interfaces';
export type { ChangeFeed, ChangeListener } from './store/change-feed';
export type { ProducerIdStore, ProducerIdAndEpoch } from './store/producer-id-store';
export type { RedisHealth } from './store/redis-health';
export { MetadataCache, type MetadataCacheOptions, type SnapshotListener } from './metadata/metadata-cache';
export { assignReplicas } from './assignment/assign-replicas';
export type {
  ReplicationStreams,
  ReplicationStreamReader,
  ReplicationStreamWriter,
  ReplicationEntry,
  ReplicaAck,
  StreamCursor,
} from './replication/replication-streams';
export type { GroupStore, GroupCommit } from './group/group-store';
export type { StoredGroup, StoredMember, StoredOffset } from './group/group-types';
export type { ActiveJob, JobProgress, JobQueue, JobRecord, JobState, JobWorker, JobWorkerOptions, SubmitJobOptions } from './jobs/job-types';
export type { QuotaStore } from './store/quota-store';
export type { SecurityStore, StoredUser } from './store/security-store';
export { silentLogger, reasonOf, type StructuredLogger, type LogFields } from './logging/structured-logger';
