import type { Socket } from 'socket.io';
import type { SecurityService } from '@tributary/broker';
import { TributaryError, type AclOperation, type AclResourceType, type ErrorName } from '@tributary/protocol';
import { principalOf } from './connection-principal';

type Operation = Exclude<AclOperation, 'all'>;

const DENIED: Record<AclResourceType, ErrorName> = {
  topic: 'TOPIC_AUTHORIZATION_FAILED',
  group: 'GROUP_AUTHORIZATION_FAILED',
  cluster: 'CLUSTER_AUTHORIZATION_FAILED',
};

/**
 * The ACL check every gateway handler makes before it runs anything: the connection's
 * principal against the broker's cached ACLs. A refusal is audited and thrown as the
 * resource type's *_AUTHORIZATION_FAILED; `allows` filters (metadata, group lists) without
 * refusing. With AUTH=none everything is allowed.
 */
export class SecurityGate {
  constructor(private readonly security: SecurityService) {}

  get enabled(): boolean {
    return this.security.enabled;
  }

  allows(socket: Socket, operation: Operation, resourceType: AclResourceType, resourceName: string): boolean {
    return this.security.isAllowed(principalOf(socket), operation, resourceType, resourceName);
  }

  /** Throws unless the principal may; `request` names the event for the audit line and message. */
  require(socket: Socket, request: string, operation: Operation, resourceType: AclResourceType, resourceName: string): void {
    if (this.allows(socket, operation, resourceType, resourceName)) return;
    throw this.denied(socket, request, operation, resourceType, resourceName);
  }

  /** Passes when the principal may do it on any one of `alternatives` (Kafka: create on the cluster or on the topic). */
  requireAny(socket: Socket, request: string, operation: Operation, alternatives: readonly [AclResourceType, string][]): void {
    if (alternatives.some(([type, name]) => this.allows(socket, operation, type, name))) return;
    const [type, name] = alternatives[alternatives.length - 1];
    throw this.denied(socket, request, operation, type, name);
  }

  /** Audits a refusal and returns the error to answer with. */
  denied(socket: Socket, request: string, operation: Operation, resourceType: AclResourceType, resourceName: string): TributaryError {
    const principal = principalOf(socket);
    this.security.audit.record({ event: 'authorization-denied', principal, host: socket.handshake.address, operation, resourceType, resourceName, request });
    return TributaryError.of(DENIED[resourceType], `${request}: ${principal} may not ${operation} ${resourceType} '${resourceName}'`);
  }
}
