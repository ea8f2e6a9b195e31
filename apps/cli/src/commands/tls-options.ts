import { readFileSync } from 'fs';
import type { Command } from 'commander';
import type { TlsOptions } from '@tributary/client';

export interface TlsCliOptions {
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** --tls-ca, --tls-cert, --tls-key (or TRIBUTARY_TLS_CA / _CERT / _KEY): PEM files for wss:// brokers. */
export function withTlsOptions(cmd: Command): Command {
  return cmd
    .option('--tls-ca <file>', 'PEM CA to trust for wss:// brokers (or TRIBUTARY_TLS_CA)', process.env.TRIBUTARY_TLS_CA)
    .option('--tls-cert <file>', 'PEM client certificate, for brokers that ask for one (or TRIBUTARY_TLS_CERT)', process.env.TRIBUTARY_TLS_CERT)
    .option('--tls-key <file>', 'PEM key of --tls-cert (or TRIBUTARY_TLS_KEY)', process.env.TRIBUTARY_TLS_KEY);
}

/** The SDK's tls option from the files named; an unreadable file is an error naming the option. */
export function tlsFrom(opts: TlsCliOptions): TlsOptions | undefined {
  if (!opts.tlsCa && !opts.tlsCert && !opts.tlsKey) return undefined;
  if (!opts.tlsCert !== !opts.tlsKey) throw new Error('--tls-cert and --tls-key go together');
  const read = (option: string, file: string | undefined) => {
    if (!file) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`${option}: cannot read '${file}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  const ca = read('--tls-ca', opts.tlsCa);
  const cert = read('--tls-cert', opts.tlsCert);
  const key = read('--tls-key', opts.tlsKey);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
