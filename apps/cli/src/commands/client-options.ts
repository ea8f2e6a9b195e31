import type { Command } from 'commander';
import { Tributary } from '@tributary/client';

export interface ClientOptions {
  brokers: string;
}

/** Adds --brokers to a command: any one broker is enough to find the rest. */
export function withBrokers(cmd: Command): Command {
  return cmd.option('--brokers <urls>', 'comma-separated broker URLs (any one is enough)', process.env.TRIBUTARY_BROKERS ?? 'ws://127.0.0.1:9092');
}

export function clientFrom(opts: ClientOptions): Tributary {
  return new Tributary({ brokers: opts.brokers.split(',').map((s) => s.trim()).filter(Boolean), clientId: 'tributary-cli' });
}
