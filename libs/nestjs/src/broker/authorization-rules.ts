import { CLUSTER_RESOURCE, type AclOperation } from '@tributary/protocol';
import { requireBroker, requireReplicaIfNamed } from './inter-broker-auth';
import { anyone, type Authorization } from './request-route';

type Operation = Exclude<AclOperation, 'all'>;

/**
 * The authorization rules routes name (Kafka's ACL model): made once at module load, so a
 * check allocates nothing but what it must look at.
 */

export { anyone };

/** Nothing is refused up front: the handler leaves out what the principal may not see (metadata, group lists). */
export const filteredByHandler: Authorization<unknown> = anyone;

export function onCluster(operation: Operation): Authorization<unknown> {
  return (gate, socket, _request, event) => gate.require(socket, event, operation, 'cluster', CLUSTER_RESOURCE);
}

export function onGroup(operation: Operation): Authorization<{ groupId: string }> {
  return (gate, socket, request, event) => gate.require(socket, event, operation, 'group', request.groupId);
}

export function onGroups<Q>(operation: Operation, groupsOf: (request: Q) => readonly string[]): Authorization<Q> {
  return (gate, socket, request, event) => {
    for (const group of groupsOf(request)) gate.require(socket, event, operation, 'group', group);
  };
}

/**
 * Each topic the request names, once: the first one refused refuses the whole request (all or
 * nothing). With AUTH=none every topic passes, so the list is not even built.
 */
export function onTopics<Q>(operation: Operation, topicsOf: (request: Q) => Iterable<string>): Authorization<Q> {
  return (gate, socket, request, event) => {
    if (!gate.enabled) return;
    for (const topic of new Set(topicsOf(request))) gate.require(socket, event, operation, 'topic', topic);
  };
}

/** Kafka's rule for creating topics: `create` on the cluster, or on each topic's name (a prefixed ACL lets a team create its own). */
export function createOnClusterOrTopics<Q>(topicsOf: (request: Q) => Iterable<string>): Authorization<Q> {
  return (gate, socket, request, event) => {
    for (const topic of topicsOf(request))
      gate.requireAny(socket, event, 'create', [
        ['cluster', CLUSTER_RESOURCE],
        ['topic', topic],
      ]);
  };
}

/** Only a connection that proved it is a broker of this cluster, and the replica it names (see requireBroker). */
export const fromBroker: Authorization<{ replicaId?: number }> = (_gate, socket, request, event) => {
  requireBroker(socket, event, request.replicaId);
};

/** Only a connection that proved it is a broker of this cluster, whichever; checked before the body is read. */
export const fromAnyBroker: Authorization<unknown> = (_gate, socket, _request, event) => {
  requireBroker(socket, event, undefined);
};

/** A request naming a replica (a follower's fetch) must come from that broker's proven connection, in the epoch it proved. */
export const fromReplicaIfNamed: Authorization<{ replicaId?: number; replicaBrokerEpoch?: number }> = (_gate, socket, request, event) => {
  requireReplicaIfNamed(socket, event, request.replicaId, request.replicaBrokerEpoch);
};

/** Both rules, in order. */
export function allOf<A, B>(first: Authorization<A>, second: Authorization<B>): Authorization<A & B> {
  return (gate, socket, request, event) => {
    first(gate, socket, request, event);
    second(gate, socket, request, event);
  };
}
