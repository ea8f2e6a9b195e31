import * as path from 'path';
import { Option, type Command } from 'commander';
import { LocalCluster } from '../local-cluster/local-cluster';
import { parseIntOption } from './options';
import { registerClusterStatusCommand } from './cluster-status';

export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('run a local cluster, and show how a cluster is doing');
  registerClusterStatusCommand(cluster);
  cluster
    .command('up')
    .description('start Redis (if none is reachable) and N brokers as local processes; Ctrl-C stops them all')
    .option('--count <n>', 'number of brokers', parseIntOption('--count', 1, 64), 3)
    // the old spelling, kept for scripts: everywhere else --brokers means broker addresses
    .addOption(new Option('--brokers <n>', 'alias of --count').argParser(parseIntOption('--brokers', 1, 64)).hideHelp())
    .option('--port <port>', 'port of the first broker; the others follow', parseIntOption('--port', 1, 65535), 9092)
    .option('--data-dir <dir>', 'where logs (and a started Redis) keep their data', '.tributary')
    .option('--redis <url>', 'Redis URL', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
    .option('--cluster-id <id>', 'cluster name (key prefix in Redis)', 'local')
    .option('--no-restart', 'leave a broker that exits down (by default it is restarted, with a line saying so)')
    .option('--json-logs', 'broker logs as JSON lines (default: pretty, one readable line per event)')
    .action(
      async (opts: {
        count: number;
        brokers?: number;
        restart: boolean;
        port: number;
        dataDir: string;
        redis: string;
        clusterId: string;
        jsonLogs?: boolean;
      }) => {
        const count = opts.brokers ?? opts.count;
        const local = new LocalCluster({
          brokers: count,
          restart: opts.restart,
          basePort: opts.port,
          dataDir: path.resolve(opts.dataDir),
          redisUrl: opts.redis,
          clusterId: opts.clusterId,
          brokerEnv: { LOG_PRETTY: opts.jsonLogs ? 'false' : 'true' },
          log: (line) => process.stdout.write(`${line}\n`),
        });
        let stopping = false;
        const stop = async () => {
          if (stopping) return;
          stopping = true;
          process.stdout.write('stopping the cluster...\n');
          await local.stop();
          process.exit(0);
        };
        process.on('SIGINT', () => void stop());
        process.on('SIGTERM', () => void stop());
        await local.start();
        process.stdout.write(`cluster '${opts.clusterId}' starting: ${local.brokerUrls.join(', ')} (data in ${path.resolve(opts.dataDir)}); Ctrl-C to stop\n`);
        try {
          await local.waitUntilReady();
        } catch (err) {
          if (stopping) return; // Ctrl-C while starting: the stop handler ends the process
          // A broker that never came up leaves no half cluster behind: stop the rest and say why.
          process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
          stopping = true;
          await local.stop();
          process.exit(1);
        }
        const auth = (process.env.AUTH ?? 'none').trim().toLowerCase() || 'none';
        const access =
          auth === 'none'
            ? 'open: no authentication (AUTH=none), anyone who reaches these ports may read and write'
            : `AUTH=${auth}: clients must log in, ACLs enforced`;
        process.stdout.write(`cluster '${opts.clusterId}' ready: ${local.brokerUrls.join(',')} (${count} broker(s)); ${access}\n`);
        process.stdout.write(
          opts.restart
            ? 'supervising: a broker that exits is restarted (--no-restart to turn this off)\n'
            : 'not supervising (--no-restart): a broker that exits stays down\n',
        );
      },
    );
}
