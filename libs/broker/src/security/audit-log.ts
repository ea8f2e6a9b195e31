/**
 * Security events as structured JSON lines on stdout, one per event, marked `audit: true` so a
 * log pipeline can route them apart: authentication failures, ACL denials, and changes to users
 * and ACLs (who made them). Secrets never appear: a user name, a principal, a peer address.
 */
export type AuditEvent =
  | { event: 'authentication-failed'; mechanism: string; user?: string; host: string; reason: string }
  | { event: 'authorization-denied'; principal: string; host: string; operation: string; resourceType: string; resourceName: string; request: string }
  | { event: 'user-created' | 'user-updated' | 'user-deleted'; principal: string; user: string }
  | { event: 'acls-created' | 'acls-deleted'; principal: string; acls: unknown[] };

export type AuditSink = (line: string) => void;

export class AuditLog {
  constructor(
    private readonly brokerId: number,
    private readonly sink: AuditSink = (line) => process.stdout.write(`${line}\n`),
  ) {}

  record(e: AuditEvent): void {
    this.sink(JSON.stringify({ level: 'info', audit: true, time: new Date().toISOString(), brokerId: this.brokerId, ...e }));
  }
}
