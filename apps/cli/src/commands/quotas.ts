import { InvalidArgumentError, type Command } from 'commander';
import type { QuotaEntity } from '@tributary/client';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';

/** 'none' removes the override (commander turns a parser's null back into the raw text, so no null here) */
type RateChange = number | 'none';

/** A rate in units per second, or `none` to remove the override. */
function parseRate(name: string): (value: string) => RateChange {
  return (value) => {
    if (value === 'none') return 'none';
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n))
      throw new InvalidArgumentError(`${name} must be a positive integer (per second), or 'none' to remove it`);
    return n;
  };
}

const wire = (r: RateChange): number | null => (r === 'none' ? null : r);

interface EntityOptions {
  principal?: string;
  clientId?: string;
}

/** `--principal User:alice` (or `alice`) and `--client-id x`: Kafka's user and client-id entities (`--user` is the login). */
function entityOf(opts: EntityOptions): QuotaEntity {
  const entity: QuotaEntity = {};
  if (opts.principal !== undefined) entity.principal = opts.principal.startsWith('User:') ? opts.principal : `User:${opts.principal}`;
  if (opts.clientId !== undefined) entity.clientId = opts.clientId;
  return entity;
}

function describeEntity(e: QuotaEntity): string {
  const parts = [e.principal !== undefined ? `principal ${e.principal}` : '', e.clientId !== undefined ? `client-id ${e.clientId}` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : '(every client)';
}

export function registerQuotaCommands(program: Command): void {
  const quotas = program.command('quotas').description("client quotas, Kafka's: byte and request rates per principal and client id");

  withBrokers(quotas.command('set').description('set (or, with none, remove) rates for a principal, a client id, or both'))
    .option('--principal <User:name>', 'the principal the rates apply to')
    .option('--client-id <id>', 'the client id the rates apply to')
    .option('--producer-byte-rate <n|none>', 'produce bytes per second, per broker', parseRate('--producer-byte-rate'))
    .option('--consumer-byte-rate <n|none>', 'fetched bytes per second, per broker', parseRate('--consumer-byte-rate'))
    .option('--request-rate <n|none>', 'requests per second, per broker', parseRate('--request-rate'))
    .action(async (opts: ClientOptions & EntityOptions & { producerByteRate?: RateChange; consumerByteRate?: RateChange; requestRate?: RateChange }) => {
      if (opts.principal === undefined && opts.clientId === undefined) throw new Error('quotas set needs --principal, --client-id or both');
      const values = {
        ...(opts.producerByteRate !== undefined ? { producerByteRate: wire(opts.producerByteRate) } : {}),
        ...(opts.consumerByteRate !== undefined ? { consumerByteRate: wire(opts.consumerByteRate) } : {}),
        ...(opts.requestRate !== undefined ? { requestRate: wire(opts.requestRate) } : {}),
      };
      if (Object.keys(values).length === 0) throw new Error('quotas set needs --producer-byte-rate, --consumer-byte-rate or --request-rate');
      const admin = clientFrom(opts).admin();
      try {
        const entity = entityOf(opts);
        await admin.alterClientQuotas([{ entity, values }]);
        process.stdout.write(`quotas for ${describeEntity(entity)} updated\n`);
      } finally {
        await admin.disconnect();
      }
    });

  withBrokers(quotas.command('list').description('quota overrides, all or one entity'))
    .option('--principal <User:name>', 'only this principal entity')
    .option('--client-id <id>', 'only this client id entity')
    .action(async (opts: ClientOptions & EntityOptions) => {
      const admin = clientFrom(opts).admin();
      try {
        const filter = opts.principal === undefined && opts.clientId === undefined ? undefined : entityOf(opts);
        for (const e of await admin.describeClientQuotas(filter)) {
          const rates = Object.entries(e.values)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' ');
          process.stdout.write(`${describeEntity(e.entity)}: ${rates}\n`);
        }
      } finally {
        await admin.disconnect();
      }
    });
}
