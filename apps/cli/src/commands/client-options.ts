import type { Command } from 'commander';
import { Tributary } from '@tributary/client';
import { tlsFrom, withTlsOptions, type TlsCliOptions } from './tls-options';

export interface ClientOptions extends TlsCliOptions {
  brokers: string;
}

/** Adds --brokers to a command: any one broker is enough to find the rest. */
export function withBrokers(cmd: Command): Command {
  return withTlsOptions(cmd).option(
    '--brokers <addresses>',
    'comma-separated broker addresses (host:port, ws:// or wss://), tried in order until one answers',
    process.env.TRIBUTARY_BROKERS ?? 'ws://127.0.0.1:9092',
  );
}

/** The SDK validates and normalises each address (and names a bad one); empty items from 'a,,b' or a trailing comma are dropped. */
export function clientFrom(opts: ClientOptions): Tributary {
  return new Tributary({
    brokers: opts.brokers
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    clientId: 'tributary-cli',
    tls: tlsFrom(opts),
  });
}
