import type { AclBinding } from '@tributary/protocol';
import { isAllowed, matchesFilter, type AclRequest } from './acl-authorizer';

const acl = (a: Partial<AclBinding> & Pick<AclBinding, 'principal' | 'resourceType' | 'resourceName' | 'operation'>): AclBinding => ({
  host: '*',
  patternType: 'literal',
  permission: 'allow',
  ...a,
});
const req = (r: Partial<AclRequest>): AclRequest => ({ principal: 'User:alice', operation: 'read', resourceType: 'topic', resourceName: 'orders', ...r });

describe('ACL matching (Kafka AclAuthorizer rules)', () => {
  it('denies when no ACL matches', () => {
    expect(isAllowed([], req({}))).toBe(false);
    expect(isAllowed([acl({ principal: 'User:bob', resourceType: 'topic', resourceName: 'orders', operation: 'read' })], req({}))).toBe(false);
  });

  it('literal names match exactly, * matches every name, and the resource type must match', () => {
    const lit = [acl({ principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', operation: 'read' })];
    expect(isAllowed(lit, req({}))).toBe(true);
    expect(isAllowed(lit, req({ resourceName: 'orders2' }))).toBe(false);
    expect(isAllowed(lit, req({ resourceType: 'group' }))).toBe(false);
    const any = [acl({ principal: 'User:alice', resourceType: 'topic', resourceName: '*', operation: 'read' })];
    expect(isAllowed(any, req({ resourceName: 'anything' }))).toBe(true);
  });

  it('prefixed names cover every name starting with the prefix, including ones created later', () => {
    const acls = [acl({ principal: 'User:alice', resourceType: 'topic', resourceName: 'team-a.', patternType: 'prefixed', operation: 'write' })];
    expect(isAllowed(acls, req({ operation: 'write', resourceName: 'team-a.orders' }))).toBe(true);
    expect(isAllowed(acls, req({ operation: 'write', resourceName: 'team-b.orders' }))).toBe(false);
    expect(isAllowed(acls, req({ operation: 'write', resourceName: 'team-a' }))).toBe(false);
  });

  it('User:* applies to every principal', () => {
    const acls = [acl({ principal: 'User:*', resourceType: 'group', resourceName: 'g', operation: 'read' })];
    expect(isAllowed(acls, req({ principal: 'User:zed', resourceType: 'group', resourceName: 'g' }))).toBe(true);
  });

  it('deny beats allow, whichever is more specific', () => {
    const acls = [
      acl({ principal: 'User:alice', resourceType: 'topic', resourceName: '*', operation: 'all' }),
      acl({ principal: 'User:*', resourceType: 'topic', resourceName: 'secret', patternType: 'prefixed', operation: 'read', permission: 'deny' }),
    ];
    expect(isAllowed(acls, req({ resourceName: 'orders' }))).toBe(true);
    expect(isAllowed(acls, req({ resourceName: 'secret.payroll' }))).toBe(false);
    // the deny is for read only: writing is still allowed by `all`
    expect(isAllowed(acls, req({ resourceName: 'secret.payroll', operation: 'write' }))).toBe(true);
    const denyAll = [...acls, acl({ principal: 'User:alice', resourceType: 'topic', resourceName: 'x', operation: 'all', permission: 'deny' })];
    expect(isAllowed(denyAll, req({ resourceName: 'x', operation: 'describe' }))).toBe(false);
  });

  it('all allows every operation; read/write/delete/alter imply describe; alter-configs implies describe-configs', () => {
    const all = [acl({ principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', operation: 'all' })];
    for (const operation of ['read', 'write', 'create', 'delete', 'alter', 'describe', 'describe-configs', 'alter-configs'] as const) {
      expect(isAllowed(all, req({ operation }))).toBe(true);
    }
    const write = [acl({ principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', operation: 'write' })];
    expect(isAllowed(write, req({ operation: 'describe' }))).toBe(true);
    expect(isAllowed(write, req({ operation: 'read' }))).toBe(false);
    const describe = [acl({ principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', operation: 'describe' })];
    expect(isAllowed(describe, req({ operation: 'read' }))).toBe(false);
    const alterConfigs = [acl({ principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', operation: 'alter-configs' })];
    expect(isAllowed(alterConfigs, req({ operation: 'describe-configs' }))).toBe(true);
  });

  it('filters match on the fields they name', () => {
    const a = acl({ principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', operation: 'read' });
    expect(matchesFilter(a, {})).toBe(true);
    expect(matchesFilter(a, { principal: 'User:alice', operation: 'read' })).toBe(true);
    expect(matchesFilter(a, { principal: 'User:bob' })).toBe(false);
    expect(matchesFilter(a, { permission: 'deny' })).toBe(false);
  });
});
