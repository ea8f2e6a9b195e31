export * from './types';
export { Keys } from './keys';
export { ClusterStore, connectRedis, type StoreOptions } from './store/cluster-store';
export { ChangeFeed, type ChangeListener } from './store/change-feed';
export { MetadataCache, type MetadataCacheOptions, type SnapshotListener } from './metadata/metadata-cache';
export { assignReplicas } from './assignment/assign-replicas';
export { ReplicationStreams, type ReplicationEntry, type ReplicaAck, type StreamCursor } from './replication/replication-streams';
export { GroupStore, type GroupCommit } from './group/group-store';
export type { StoredGroup, StoredMember, StoredOffset } from './group/group-types';
