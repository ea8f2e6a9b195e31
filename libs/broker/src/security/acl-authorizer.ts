import type { AclBinding, AclFilter, AclOperation, AclResourceType } from '@tributary/protocol';

/**
 * Kafka's ACL decision (AclAuthorizer): a request is allowed when some ACL allows it and none
 * denies it; deny wins. An ACL applies when its principal is the caller's or `User:*`, its
 * resource type matches, and its pattern covers the name (literal equal or `*`, or prefixed).
 * `all` covers every operation, and — as in Kafka — allowing read, write, delete or alter
 * implies describe, and allowing alter-configs implies describe-configs.
 */
const IMPLIES: Partial<Record<AclOperation, readonly AclOperation[]>> = {
  describe: ['read', 'write', 'delete', 'alter'],
  'describe-configs': ['alter-configs'],
};

export interface AclRequest {
  principal: string;
  operation: Exclude<AclOperation, 'all'>;
  resourceType: AclResourceType;
  resourceName: string;
}

export function aclCovers(acl: AclBinding, resourceType: AclResourceType, name: string): boolean {
  if (acl.resourceType !== resourceType) return false;
  if (acl.patternType === 'prefixed') return name.startsWith(acl.resourceName);
  return acl.resourceName === '*' || acl.resourceName === name;
}

function applies(acl: AclBinding, req: AclRequest): boolean {
  return (acl.principal === req.principal || acl.principal === 'User:*') && acl.host === '*' && aclCovers(acl, req.resourceType, req.resourceName);
}

/** Whether `acls` let the request through (super users are decided before this). */
export function isAllowed(acls: readonly AclBinding[], req: AclRequest): boolean {
  const relevant = acls.filter((a) => applies(a, req));
  if (relevant.some((a) => a.permission === 'deny' && (a.operation === 'all' || a.operation === req.operation))) return false;
  const allowing = new Set<AclOperation>(['all', req.operation, ...(IMPLIES[req.operation] ?? [])]);
  return relevant.some((a) => a.permission === 'allow' && allowing.has(a.operation));
}

/** Whether an ACL matches a filter (absent fields match anything), as describeAcls and deleteAcls select. */
export function matchesFilter(acl: AclBinding, filter: AclFilter): boolean {
  return (Object.keys(filter) as (keyof AclBinding)[]).every((k) => filter[k] === undefined || filter[k] === acl[k]);
}
