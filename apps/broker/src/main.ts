import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, installNativeCrc32c, loadBrokerConfig } from '@tributary/broker';
import { BrokerIoAdapter, TributaryBrokerModule } from '@tributary/nestjs';

/** One process, one broker: settings come from the environment (see the README). */
async function main(): Promise<void> {
  const config = loadBrokerConfig(process.env);
  installNativeCrc32c();
  const app = await NestFactory.create(TributaryBrokerModule.forRoot(config), { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new BrokerIoAdapter(app, config.maxRequestBytes, config.limits));
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  // Nest's own start-up chatter is off (logger above); this one line says the broker is up.
  process.stdout.write(`broker ${config.brokerId} listening on ws://${config.advertisedHost}:${config.port} (cluster '${config.clusterId}', data ${config.dataDir})\n`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`broker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
