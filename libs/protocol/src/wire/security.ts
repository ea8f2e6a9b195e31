import { z } from 'zod';
import type { ResponseBase } from './messages';
import { requestParser } from './request-parser';

/**
 * Users, authentication and ACLs on the wire, in Kafka's model (see the README's Security
 * section). Authentication is SASL over events: `saslHandshake` picks a mechanism, then one or
 * two `saslAuthenticate` round trips carry the mechanism's messages (SCRAM's client-first and
 * client-final; a bearer token's single message). Credentials travel as SCRAM's salted keys,
 * never as a password.
 */

export const SASL_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'TOKEN'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];
export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];
/** RFC 7677 asks for at least 4096; Kafka's minimum too. */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 1_000_000;

export interface SaslHandshakeRequest {
  mechanism: string;
}
export interface SaslHandshakeResponse extends ResponseBase {
  /** the mechanisms this broker accepts (also on UNSUPPORTED_SASL_MECHANISM) */
  mechanisms: string[];
}
export interface SaslAuthenticateRequest {
  /** the mechanism's next message, as text (SCRAM messages are ASCII; a token is its compact form) */
  authBytes: string;
}
export interface SaslAuthenticateResponse extends ResponseBase {
  /** the server's next message ('' when the mechanism has none) */
  authBytes: string;
  /** set once authentication completed: the principal this connection now acts as */
  principal?: string;
}

/** One mechanism's stored credential (RFC 5802 §3): what the server keeps instead of a password. Binary fields in base64. */
export interface ScramCredentialWire {
  mechanism: ScramMechanism;
  iterations: number;
  salt: string;
  storedKey: string;
  serverKey: string;
}
export interface CreateUserRequest {
  /** the user name; the principal is `User:<name>` */
  name: string;
  /** one per mechanism; an existing user's credentials are replaced */
  credentials: ScramCredentialWire[];
}
export type CreateUserResponse = ResponseBase;
export interface DeleteUserRequest {
  name: string;
}
export type DeleteUserResponse = ResponseBase;
export type ListUsersRequest = Record<string, never>;
export interface ListedUser {
  name: string;
  mechanisms: { mechanism: ScramMechanism; iterations: number }[];
}
export interface ListUsersResponse extends ResponseBase {
  users: ListedUser[];
}

export const ACL_RESOURCE_TYPES = ['topic', 'group', 'cluster'] as const;
export type AclResourceType = (typeof ACL_RESOURCE_TYPES)[number];
export const ACL_PATTERN_TYPES = ['literal', 'prefixed'] as const;
export type AclPatternType = (typeof ACL_PATTERN_TYPES)[number];
export const ACL_OPERATIONS = ['all', 'read', 'write', 'create', 'delete', 'alter', 'describe', 'describe-configs', 'alter-configs'] as const;
export type AclOperation = (typeof ACL_OPERATIONS)[number];
export const ACL_PERMISSIONS = ['allow', 'deny'] as const;
export type AclPermission = (typeof ACL_PERMISSIONS)[number];
/** The name of the one cluster resource. */
export const CLUSTER_RESOURCE = 'cluster';

/** One ACL (Kafka's AclBinding): `principal` may `operation` on the resource(s) from `host`, or may not. */
export interface AclBinding {
  /** `User:<name>`, or `User:*` for every principal */
  principal: string;
  /** only `*` is supported */
  host: string;
  resourceType: AclResourceType;
  /** a topic or group name (`*`: every one), or `cluster` */
  resourceName: string;
  patternType: AclPatternType;
  operation: AclOperation;
  permission: AclPermission;
}

/** Selects ACLs: an absent field matches any value (Kafka's AclBindingFilter with ANY). */
export type AclFilter = Partial<AclBinding>;

export interface CreateAclsRequest {
  acls: AclBinding[];
}
export type CreateAclsResponse = ResponseBase;
export interface DeleteAclsRequest {
  filters: AclFilter[];
}
export interface DeleteAclsResponse extends ResponseBase {
  deleted: AclBinding[];
}
export interface DescribeAclsRequest {
  filter: AclFilter;
}
export interface DescribeAclsResponse extends ResponseBase {
  acls: AclBinding[];
}

/**
 * SCRAM needs no escaping for these, and a principal built from one is unambiguous. Names
 * starting with `__` are reserved (`User:__broker` is what other brokers act as) and so is
 * `ANONYMOUS` (a connection that has not authenticated): no user or token may claim them.
 */
export const USER_NAME = /^(?!__|ANONYMOUS$)[a-zA-Z0-9._@-]{1,249}$/;
/** The reserved names alone, for names from elsewhere (a certificate's CN) that USER_NAME's characters do not bound. */
export const RESERVED_USER_NAME = /^(?:__|ANONYMOUS$)/;
const userName = z.string().regex(USER_NAME, "use 1 to 249 of [a-zA-Z0-9._@-], not starting with '__' and not 'ANONYMOUS'");
/** `User:*`, or `User:` and up to 1024 printable characters (a certificate subject may hold spaces and commas). */
const principal = z
  .string()
  .max(1030)
  .refine(
    (p) => p === 'User:*' || (/^User:[^*]/.test(p) && p.length <= 1029 && ![...p].some((ch) => ch < ' ' || ch === '\u007f')),
    "use 'User:<name>' or 'User:*'",
  );
const base64 = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'expected base64');
const credential = z.object({
  mechanism: z.enum(SCRAM_MECHANISMS),
  iterations: z.number().int().min(SCRAM_MIN_ITERATIONS).max(SCRAM_MAX_ITERATIONS),
  salt: base64(256),
  storedKey: base64(64),
  serverKey: base64(64),
});
const resourceName = z.string().min(1).max(249);
const binding = z
  .object({
    principal,
    host: z.literal('*').default('*'),
    resourceType: z.enum(ACL_RESOURCE_TYPES),
    resourceName,
    patternType: z.enum(ACL_PATTERN_TYPES).default('literal'),
    operation: z.enum(ACL_OPERATIONS),
    permission: z.enum(ACL_PERMISSIONS).default('allow'),
  })
  .refine((b) => b.resourceType !== 'cluster' || (b.resourceName === CLUSTER_RESOURCE && b.patternType === 'literal'), {
    message: `a cluster ACL names the resource '${CLUSTER_RESOURCE}' (literal)`,
    path: ['resourceName'],
  });
const filter = z.object({
  principal: principal.optional(),
  host: z.literal('*').optional(),
  resourceType: z.enum(ACL_RESOURCE_TYPES).optional(),
  resourceName: resourceName.optional(),
  patternType: z.enum(ACL_PATTERN_TYPES).optional(),
  operation: z.enum(ACL_OPERATIONS).optional(),
  permission: z.enum(ACL_PERMISSIONS).optional(),
});

export const parseSecurityRequest = {
  saslHandshake: requestParser<SaslHandshakeRequest>('saslHandshake', z.object({ mechanism: z.string().min(1).max(64) })),
  saslAuthenticate: requestParser<SaslAuthenticateRequest>('saslAuthenticate', z.object({ authBytes: z.string().max(16_384) })),
  createUser: requestParser<CreateUserRequest>(
    'createUser',
    z.object({
      name: userName,
      credentials: z
        .array(credential)
        .min(1)
        .max(2)
        .refine((c) => new Set(c.map((x) => x.mechanism)).size === c.length, 'one credential per mechanism'),
    }),
  ),
  deleteUser: requestParser<DeleteUserRequest>('deleteUser', z.object({ name: userName })),
  listUsers: requestParser<ListUsersRequest>('listUsers', z.object({}).strip()),
  createAcls: requestParser<CreateAclsRequest>('createAcls', z.object({ acls: z.array(binding).min(1).max(1000) })),
  deleteAcls: requestParser<DeleteAclsRequest>('deleteAcls', z.object({ filters: z.array(filter).min(1).max(1000) })),
  describeAcls: requestParser<DescribeAclsRequest>('describeAcls', z.object({ filter: filter.default({}) })),
};
