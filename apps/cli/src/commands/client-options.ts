import { InvalidArgumentError, type Command } from 'commander';
import { Tributary, type ClientAuth } from '@tributary/client';
import { tlsFrom, withTlsOptions, type TlsCliOptions } from './tls-options';

export interface ClientOptions extends TlsCliOptions {
  brokers: string;
  /** SCRAM user; the password comes from --password or TRIBUTARY_PASSWORD */
  user?: string;
  password?: string;
  mechanism: string;
}

/**
 * Adds --brokers and the login options to a command: any one broker is enough to find the rest.
 * The password is better passed in TRIBUTARY_PASSWORD than on the command line, where other
 * local users can see it in the process list.
 */
export function withBrokers(cmd: Command): Command {
  return withTlsOptions(cmd)
    .option(
      '--brokers <addresses>',
      'comma-separated broker addresses (host:port, ws:// or wss://), tried in order until one answers',
      process.env.TRIBUTARY_BROKERS ?? 'ws://127.0.0.1:9092',
    )
    .option('--user <name>', 'log in as this SCRAM user (brokers with AUTH=scram); default TRIBUTARY_USER', process.env.TRIBUTARY_USER)
    .option(
      '--password <password>',
      "the user's password; prefer TRIBUTARY_PASSWORD (a command line is visible to other users)",
      process.env.TRIBUTARY_PASSWORD,
    )
    .option('--mechanism <name>', 'scram-sha-256 or scram-sha-512', 'scram-sha-256');
}

/** The login the options ask for: a user (and password), TRIBUTARY_TOKEN for a bearer token, or none. */
export function authFrom(opts: ClientOptions): ClientAuth | undefined {
  if (opts.user === undefined || opts.user === '') {
    const token = process.env.TRIBUTARY_TOKEN;
    return token ? { mechanism: 'token', token } : undefined;
  }
  if (opts.password === undefined || opts.password === '')
    throw new InvalidArgumentError(`--user ${opts.user} needs a password: set TRIBUTARY_PASSWORD (or --password)`);
  if (opts.mechanism !== 'scram-sha-256' && opts.mechanism !== 'scram-sha-512')
    throw new InvalidArgumentError('--mechanism must be scram-sha-256 or scram-sha-512');
  return { mechanism: opts.mechanism, username: opts.user, password: opts.password };
}

/** The SDK validates and normalises each address (and names a bad one); empty items from 'a,,b' or a trailing comma are dropped. */
export function clientFrom(opts: ClientOptions): Tributary {
  const auth = authFrom(opts);
  return new Tributary({
    brokers: opts.brokers
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    clientId: 'tributary-cli',
    tls: tlsFrom(opts),
    ...(auth ? { auth } : {}),
  });
}
