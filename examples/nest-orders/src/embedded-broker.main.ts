import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { loadBrokerConfig } from '@tributary/broker';
import { BrokerIoAdapter, TributaryBrokerModule } from '@tributary/nestjs';

/**
 * A broker embedded in a Nest application (for development or an all-in-one deployment): the
 * same settings as the broker process (BROKER_ID, PORT, REDIS_URL, DATA_DIR...), read through
 * @nestjs/config with TributaryBrokerModule.forRootAsync.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TributaryBrokerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => loadBrokerConfig({ ...process.env, BROKER_ID: config.get<string>('BROKER_ID', '1') }),
    }),
  ],
})
class EmbeddedBrokerModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(EmbeddedBrokerModule, { logger: ['error', 'warn'] });
  const config = loadBrokerConfig(process.env);
  app.useWebSocketAdapter(new BrokerIoAdapter(app, config.maxRequestBytes, config.limits));
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  process.stdout.write(`embedded broker listening on ${config.port}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`embedded broker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
