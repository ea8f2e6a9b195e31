import { randomBytes } from 'crypto';
import type { ChangeFeed, SecurityStore, StoredUser } from '@tributary/coordination';
import {
  SCRAM_MECHANISMS,
  TributaryError,
  USER_NAME,
  type AclBinding,
  type AclFilter,
  type AclOperation,
  type AclResourceType,
  type CreateUserRequest,
  type ListedUser,
  type SaslMechanism,
  type ScramMechanism,
} from '@tributary/protocol';
import { isAllowed, matchesFilter } from './acl-authorizer';
import { AuditLog } from './audit-log';
import { BearerTokenVerifier } from './bearer-token';
import { ScramServerSession } from './scram';

export interface SecurityOptions {
  brokerId: number;
  auth: { scram: boolean; token: boolean };
  superUsers: readonly string[];
  tokenSecret?: string;
  tokenPublicKeyPath?: string;
  /** safety-net reload of the ACL cache (changes arrive by pub/sub) */
  refreshIntervalMs: number;
}

/** The principal other brokers act as once their inter-broker proof checked out: a super user. */
export const BROKER_PRINCIPAL = 'User:__broker';

/** A SASL exchange in progress on one connection. */
export interface SaslSession {
  readonly mechanism: SaslMechanism;
  /** the next server message, and once done the authenticated principal (and when it lapses) */
  step(message: string): Promise<{ response: string; principal?: string; expiresAt?: number }>;
  /** who it claims to be, for the audit line of a failure */
  readonly claimedUser: string;
}

/**
 * Users, authentication and ACLs on one broker. ACLs are cached here and reloaded on every
 * change the feed announces (and on a timer, since pub/sub drops messages while
 * disconnected), so every request is checked against a view at most seconds old without a
 * Redis round trip.
 */
export class SecurityService {
  readonly audit: AuditLog;
  private acls: readonly AclBinding[] = [];
  private readonly decoySecret = randomBytes(32);
  private readonly tokens: BearerTokenVerifier | null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private loading: Promise<void> | null = null;
  private reloadAgain = false;

  constructor(
    private readonly store: SecurityStore,
    private readonly feed: ChangeFeed,
    private readonly options: SecurityOptions,
  ) {
    this.audit = new AuditLog(options.brokerId);
    this.tokens = options.auth.token ? new BearerTokenVerifier({ secret: options.tokenSecret, publicKeyPath: options.tokenPublicKeyPath }) : null;
  }

  /** Whether clients must authenticate (and ACLs are enforced). */
  get enabled(): boolean {
    return this.options.auth.scram || this.options.auth.token;
  }

  get mechanisms(): SaslMechanism[] {
    return [...(this.options.auth.scram ? SCRAM_MECHANISMS : []), ...(this.options.auth.token ? (['TOKEN'] as const) : [])];
  }

  async start(): Promise<void> {
    this.unsubscribe = this.feed.onChange(() => this.reload());
    await this.load();
    this.timer = setInterval(() => this.reload(), this.options.refreshIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }

  /** Reloads the ACL cache; a reload asked for while one runs runs again after it, so the last change is always seen. */
  reload(): void {
    if (this.loading) {
      this.reloadAgain = true;
      return;
    }
    this.loading = this.load()
      // a failed load keeps the last users and ACLs; the next change notice or refresh tick loads again
      .catch(() => undefined)
      .finally(() => {
        this.loading = null;
        if (this.reloadAgain) {
          this.reloadAgain = false;
          this.reload();
        }
      });
  }

  private async load(): Promise<void> {
    this.acls = await this.store.acls();
  }

  startSasl(mechanism: string): SaslSession {
    if (!(this.mechanisms as string[]).includes(mechanism)) {
      throw TributaryError.of(
        'UNSUPPORTED_SASL_MECHANISM',
        `mechanism '${mechanism.slice(0, 64)}' is not enabled; this broker accepts: ${this.mechanisms.join(', ') || 'none (AUTH=none)'}`,
      );
    }
    if (mechanism === 'TOKEN') {
      const verifier = this.tokens;
      if (!verifier) throw TributaryError.of('UNSUPPORTED_SASL_MECHANISM');
      return {
        mechanism: 'TOKEN',
        claimedUser: '',
        step: async (message) => {
          const t = verifier.verify(message);
          return { response: '', principal: `User:${t.user}`, expiresAt: t.expiresAt };
        },
      };
    }
    const scram = new ScramServerSession(mechanism as ScramMechanism, (user, mech) => this.credential(user, mech), this.decoySecret);
    return {
      mechanism: scram.mechanism,
      get claimedUser() {
        return scram.userName;
      },
      step: async (message) => {
        const r = await scram.step(message);
        // reserved names (User:__broker, User:ANONYMOUS) are never a SCRAM user's, whatever Redis holds
        if (r.user !== undefined && !USER_NAME.test(r.user)) throw TributaryError.of('SASL_AUTHENTICATION_FAILED', `'${r.user}' is a reserved name`);
        return { response: r.response, principal: r.user === undefined ? undefined : `User:${r.user}` };
      },
    };
  }

  private async credential(user: string, mechanism: ScramMechanism) {
    return (await this.store.user(user))?.credentials[mechanism] ?? null;
  }

  /** The ACL decision for one operation; super users and other brokers pass; with AUTH=none everything does. */
  isAllowed(principal: string, operation: Exclude<AclOperation, 'all'>, resourceType: AclResourceType, resourceName: string): boolean {
    if (!this.enabled) return true;
    if (principal === BROKER_PRINCIPAL || this.options.superUsers.includes(principal)) return true;
    return isAllowed(this.acls, { principal, operation, resourceType, resourceName });
  }

  // ---- administration (the gateway has checked the caller may do it) ----

  async saveUser(req: CreateUserRequest, by: string): Promise<void> {
    const user: StoredUser = { name: req.name, credentials: Object.fromEntries(req.credentials.map((c) => [c.mechanism, c])) };
    const created = await this.store.saveUser(user);
    this.audit.record({ event: created ? 'user-created' : 'user-updated', principal: by, user: req.name });
  }

  async deleteUser(name: string, by: string): Promise<void> {
    if (!(await this.store.deleteUser(name))) throw TributaryError.of('RESOURCE_NOT_FOUND', `no user '${name}'`);
    this.audit.record({ event: 'user-deleted', principal: by, user: name });
  }

  async listUsers(): Promise<ListedUser[]> {
    return (await this.store.users()).map((u) => ({
      name: u.name,
      mechanisms: SCRAM_MECHANISMS.flatMap((m) => {
        const c = u.credentials[m];
        return c ? [{ mechanism: m, iterations: c.iterations }] : [];
      }),
    }));
  }

  async createAcls(acls: readonly AclBinding[], by: string): Promise<void> {
    await this.store.createAcls(acls);
    this.audit.record({ event: 'acls-created', principal: by, acls: [...acls] });
    this.reload();
  }

  async deleteAcls(filters: readonly AclFilter[], by: string): Promise<AclBinding[]> {
    const all = await this.store.acls();
    const deleted = await this.store.deleteAcls(all.filter((a) => filters.some((f) => matchesFilter(a, f))));
    if (deleted.length > 0) this.audit.record({ event: 'acls-deleted', principal: by, acls: deleted });
    this.reload();
    return deleted;
  }

  async describeAcls(filter: AclFilter): Promise<AclBinding[]> {
    return (await this.store.acls()).filter((a) => matchesFilter(a, filter));
  }
}
