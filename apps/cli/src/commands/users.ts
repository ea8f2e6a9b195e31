import { InvalidArgumentError, type Command } from 'commander';
import { scramCredential } from '@tributary/client';
import { Coordination } from '@tributary/coordination';
import { USER_NAME } from '@tributary/protocol';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';
import { printTable } from './topics';

/** `tributary users create|delete|list`: SCRAM users, salted on this machine (the password is never sent). */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('create, delete and list SCRAM users (brokers with AUTH=scram)');

  withBrokers(users.command('create <name>').description("create a user, or replace an existing user's password"))
    .option(
      '--new-password <password>',
      "the user's password; prefer TRIBUTARY_NEW_PASSWORD (a command line is visible to other users)",
      process.env.TRIBUTARY_NEW_PASSWORD,
    )
    .option('--iterations <n>', 'PBKDF2 iterations', parseIntOption('--iterations', 4096, 1_000_000), 8192)
    .option('--redis <url>', 'bootstrap: write the user straight into the coordination Redis (for the first super user, before anyone can log in)')
    .option('--cluster-id <id>', 'with --redis: the cluster (CLUSTER_ID)', 'local')
    .action(async (name: string, opts: ClientOptions & { newPassword?: string; iterations: number; redis?: string; clusterId: string }) => {
      if (!opts.newPassword) throw new InvalidArgumentError('the new password: set TRIBUTARY_NEW_PASSWORD (or --new-password)');
      if (opts.redis !== undefined) {
        if (!USER_NAME.test(name)) throw new InvalidArgumentError('a user name is 1 to 249 of [a-zA-Z0-9._@-]');
        await bootstrapUser(opts.redis, opts.clusterId, name, opts.newPassword, opts.iterations);
        process.stdout.write(`user '${name}' saved in ${opts.redis} for cluster '${opts.clusterId}' (principal User:${name})\n`);
        return;
      }
      const admin = clientFrom(opts).admin();
      try {
        await admin.createUser({ name, password: opts.newPassword, iterations: opts.iterations });
        process.stdout.write(`user '${name}' saved (SCRAM-SHA-256, SCRAM-SHA-512; principal User:${name})\n`);
      } finally {
        await admin.disconnect();
      }
    });

  withBrokers(users.command('delete <name>').description('delete a user')).action(async (name: string, opts: ClientOptions) => {
    const admin = clientFrom(opts).admin();
    try {
      await admin.deleteUser(name);
      process.stdout.write(`user '${name}' deleted\n`);
    } finally {
      await admin.disconnect();
    }
  });

  withBrokers(users.command('list').description('list users and their mechanisms')).action(async (opts: ClientOptions) => {
    const admin = clientFrom(opts).admin();
    try {
      const listed = await admin.listUsers();
      printTable(
        ['user', 'mechanisms'],
        listed.map((u) => [u.name, u.mechanisms.map((m) => `${m.mechanism} (${m.iterations})`).join(', ')]),
      );
    } finally {
      await admin.disconnect();
    }
  });
}

/**
 * Kafka's `kafka-storage format --add-scram` analogue: with AUTH on, nobody can log in to create
 * the first user, so it is written to the coordination Redis directly (whoever can write there
 * controls the cluster anyway). Still salted here: Redis never sees the password.
 */
async function bootstrapUser(redisUrl: string, cluster: string, name: string, password: string, iterations: number): Promise<void> {
  const coordination = Coordination.connect({ redisUrl, cluster, commandTimeoutMs: 10_000 });
  try {
    const credentials = await Promise.all((['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const).map((m) => scramCredential(m, password, iterations)));
    await coordination.security.saveUser({ name, credentials: Object.fromEntries(credentials.map((c) => [c.mechanism, c])) });
  } finally {
    await coordination.close();
  }
}
