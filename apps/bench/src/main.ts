#!/usr/bin/env node
import { Command } from 'commander';
import { installNativeCrc32c } from '@tributary/native-crc32c';
import { registerBenchCommand } from './bench-command';

// The bench's own producers and consumers compute CRCs as a Node client would: natively.
installNativeCrc32c();

const program = new Command();
program.name('tributary-bench').description('Tributary against Redis Streams and NATS JetStream on this machine (npm run bench)');
registerBenchCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
