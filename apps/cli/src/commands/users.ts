import { InvalidArgumentError, type Command } from 'commander';
import { clientFrom, withBrokers, type ClientOptions } from './client-options';
import { parseIntOption } from './options';
import { printTable } from './topics';

/** `tributary users create|delete|list`: SCRAM users, salted on this machine (the password is never sent). */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('create, delete and list SCRAM users (brokers with AUTH=scram)');

  withBrokers(users.command('create <name>').description("create a user, or replace an existing user's password"))
    .option('--new-password <password>', "the user's password; prefer TRIBUTARY_NEW_PASSWORD (a command line is visible to other users)", process.env.TRIBUTARY_NEW_PASSWORD)
    .option('--iterations <n>', 'PBKDF2 iterations', parseIntOption('--iterations', 4096, 1_000_000), 8192)
    .action(async (name: string, opts: ClientOptions & { newPassword?: string; iterations: number }) => {
      if (!opts.newPassword) throw new InvalidArgumentError('the new password: set TRIBUTARY_NEW_PASSWORD (or --new-password)');
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
