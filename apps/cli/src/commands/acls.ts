import { InvalidArgumentError, type Command } from 'commander';
import { ACL_OPERATIONS, CLUSTER_RESOURCE, type AclBinding, type AclFilter, type AclOperation, type AclResourceType } from '@tributary/protocol';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { printTable } from './topics';

interface AclOptions extends ClientOptions {
  principal?: string;
  operation?: string;
  topic?: string;
  group?: string;
  cluster?: boolean;
  prefixed?: boolean;
  deny?: boolean;
}

function resource(opts: AclOptions, required: boolean): { resourceType?: AclResourceType; resourceName?: string } {
  const given = [opts.topic !== undefined, opts.group !== undefined, opts.cluster === true].filter(Boolean).length;
  if (given > 1) throw new InvalidArgumentError('name one resource: --topic, --group or --cluster');
  if (given === 0) {
    if (required) throw new InvalidArgumentError('name the resource: --topic <name>, --group <id> or --cluster');
    return {};
  }
  if (opts.topic !== undefined) return { resourceType: 'topic', resourceName: opts.topic };
  if (opts.group !== undefined) return { resourceType: 'group', resourceName: opts.group };
  return { resourceType: 'cluster', resourceName: CLUSTER_RESOURCE };
}

function operations(value: string | undefined, required: boolean): AclOperation[] | undefined {
  if (value === undefined) {
    if (required) throw new InvalidArgumentError(`--operation is required: one or more (comma-separated) of ${ACL_OPERATIONS.join(', ')}`);
    return undefined;
  }
  const ops = value.split(',').map((o) => o.trim().toLowerCase());
  const bad = ops.find((o) => !(ACL_OPERATIONS as readonly string[]).includes(o));
  if (bad !== undefined) throw new InvalidArgumentError(`unknown operation '${bad}': use ${ACL_OPERATIONS.join(', ')}`);
  return ops as AclOperation[];
}

function withAclOptions(cmd: Command): Command {
  return withBrokers(cmd)
    .option('--principal <principal>', 'e.g. User:alice, or User:* for everyone')
    .option('--operation <ops>', `comma-separated: ${ACL_OPERATIONS.join(', ')}`)
    .option('--topic <name>', "a topic (with --prefixed: every topic starting with it; '*': every topic)")
    .option('--group <id>', "a consumer group (with --prefixed: every group starting with it; '*': every group)")
    .option('--cluster', 'the cluster (create topics, manage users and ACLs)')
    .option('--prefixed', 'the name is a prefix')
    .option('--deny', 'a deny ACL (deny beats allow)');
}

/** The filters an `acls remove|list` names: one per operation, or one for all. */
function filters(opts: AclOptions): AclFilter[] {
  const base: AclFilter = {
    ...(opts.principal !== undefined ? { principal: opts.principal } : {}),
    ...resource(opts, false),
    ...(opts.prefixed ? { patternType: 'prefixed' as const } : {}),
    ...(opts.deny ? { permission: 'deny' as const } : {}),
  };
  const ops = operations(opts.operation, false);
  return ops ? ops.map((operation) => ({ ...base, operation })) : [base];
}

function printAcls(acls: AclBinding[]): void {
  printTable(
    ['principal', 'permission', 'operation', 'resource', 'pattern', 'name'],
    acls.map((a) => [a.principal, a.permission, a.operation, a.resourceType, a.patternType, a.resourceName]),
  );
}

/** `tributary acls add|remove|list`: Kafka-model ACLs, enforced by brokers with AUTH on. */
export function registerAclCommands(program: Command): void {
  const acls = program.command('acls').description('add, remove and list ACLs (enforced by brokers with AUTH on)');

  withAclOptions(acls.command('add').description('allow (or with --deny, deny) a principal operations on a resource')).action(async (opts: AclOptions) => {
    if (opts.principal === undefined) throw new InvalidArgumentError('--principal is required (User:<name> or User:*)');
    const { resourceType, resourceName } = resource(opts, true);
    const ops = operations(opts.operation, true) ?? [];
    const bindings: AclBinding[] = ops.map((operation) => ({
      principal: opts.principal as string,
      host: '*',
      resourceType: resourceType as AclResourceType,
      resourceName: resourceName as string,
      patternType: opts.prefixed ? 'prefixed' : 'literal',
      operation,
      permission: opts.deny ? 'deny' : 'allow',
    }));
    const admin = clientFrom(opts).admin();
    try {
      await admin.createAcls(bindings);
      printAcls(bindings);
    } finally {
      await admin.disconnect();
    }
  });

  withAclOptions(acls.command('remove').description('remove the ACLs matching the options (an option left out matches anything)')).action(
    async (opts: AclOptions) => {
      const admin = clientFrom(opts).admin();
      try {
        const deleted = await admin.deleteAcls(filters(opts));
        process.stdout.write(`removed ${deleted.length} ACL(s)\n`);
        if (deleted.length > 0) printAcls(deleted);
      } finally {
        await admin.disconnect();
      }
    },
  );

  withAclOptions(acls.command('list').description('list the ACLs matching the options')).action(async (opts: AclOptions) => {
    const admin = clientFrom(opts).admin();
    try {
      const all = (await Promise.all(filters(opts).map((f) => admin.describeAcls(f)))).flat();
      const unique = new Map(all.map((a) => [JSON.stringify(a), a]));
      printAcls([...unique.values()]);
    } finally {
      await admin.disconnect();
    }
  });
}
