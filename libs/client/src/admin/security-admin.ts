import {
  Events,
  SCRAM_MIN_ITERATIONS,
  type AclBinding,
  type AclFilter,
  type CreateAclsRequest,
  type CreateAclsResponse,
  type CreateUserRequest,
  type CreateUserResponse,
  type DeleteAclsRequest,
  type DeleteAclsResponse,
  type DeleteUserRequest,
  type DeleteUserResponse,
  type DescribeAclsRequest,
  type DescribeAclsResponse,
  type ListedUser,
  type ListUsersRequest,
  type ListUsersResponse,
  type ScramMechanism,
} from '@tributary/protocol';
import { scramCredential } from '../auth/scram-client';
import type { Cluster } from '../cluster/cluster';
import { retry } from '../retry/retrier';

export interface CreateUserOptions {
  name: string;
  password: string;
  /** default both SCRAM-SHA-256 and SCRAM-SHA-512 */
  mechanisms?: ScramMechanism[];
  /** PBKDF2 iterations; default 8192, at least 4096 */
  iterations?: number;
}

/** An ACL as Admin takes it: host, pattern type and permission default to `*`, `literal` and `allow`. */
export type AclSpec = Omit<AclBinding, 'host' | 'patternType' | 'permission'> & Partial<Pick<AclBinding, 'host' | 'patternType' | 'permission'>>;

const DEFAULT_ITERATIONS = 8192;

/**
 * Users and ACLs (Kafka's AlterUserScramCredentials and Create/Delete/DescribeAcls). Any broker
 * answers; the salted credentials are computed here, so a password never leaves this process.
 */
export class SecurityAdmin {
  constructor(private readonly cluster: Cluster) {}

  /** Creates the user, or replaces its credentials. Needs alter on the cluster. */
  async createUser(options: CreateUserOptions): Promise<void> {
    const iterations = options.iterations ?? DEFAULT_ITERATIONS;
    const mechanisms = options.mechanisms ?? ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
    const credentials = await Promise.all(mechanisms.map((m) => scramCredential(m, options.password, Math.max(iterations, SCRAM_MIN_ITERATIONS))));
    await this.ask<CreateUserRequest, CreateUserResponse>(Events.createUser, { name: options.name, credentials });
  }

  /** RESOURCE_NOT_FOUND when there is no such user. */
  async deleteUser(name: string): Promise<void> {
    await this.ask<DeleteUserRequest, DeleteUserResponse>(Events.deleteUser, { name });
  }

  async listUsers(): Promise<ListedUser[]> {
    return (await this.ask<ListUsersRequest, ListUsersResponse>(Events.listUsers, {})).users;
  }

  async createAcls(acls: AclSpec[]): Promise<void> {
    await this.ask<CreateAclsRequest, CreateAclsResponse>(Events.createAcls, { acls: acls.map(withDefaults) });
  }

  /** Deletes every ACL matching any filter (an absent field matches anything); resolves with those deleted. */
  async deleteAcls(filters: AclFilter[]): Promise<AclBinding[]> {
    return (await this.ask<DeleteAclsRequest, DeleteAclsResponse>(Events.deleteAcls, { filters })).deleted;
  }

  async describeAcls(filter: AclFilter = {}): Promise<AclBinding[]> {
    return (await this.ask<DescribeAclsRequest, DescribeAclsResponse>(Events.describeAcls, { filter })).acls;
  }

  private ask<Req, Res extends { errorCode: number }>(event: (typeof Events)[keyof typeof Events], payload: Req): Promise<Res> {
    return retry(() => this.cluster.controllerConnection().request<Req, Res>(event, payload), this.cluster.retryOptions, {
      onRetry: () => this.cluster.refreshMetadata(),
    });
  }
}

function withDefaults(a: AclSpec): AclBinding {
  return { host: '*', patternType: 'literal', permission: 'allow', ...a };
}
