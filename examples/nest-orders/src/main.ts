import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { TributaryServer } from '@tributary/nestjs';
import { AppModule } from './app.module';
import { RPC_GROUP } from './order';

/**
 * The orders example: HTTP on PORT (default 3000), Tributary at TRIBUTARY_BROKERS. One process is
 * both an HTTP app and a Tributary microservice (a hybrid app), like a Kafka-transport Nest app.
 */
async function main(): Promise<void> {
  const brokers = (process.env.TRIBUTARY_BROKERS ?? 'localhost:9092').split(',');
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn', 'log'] });
  app.connectMicroservice({ strategy: new TributaryServer({ brokers, clientId: 'nest-orders-rpc', groupId: RPC_GROUP }) });
  app.enableShutdownHooks();
  await app.init();
  await app.startAllMicroservices();
  await app.listen(Number(process.env.PORT ?? 3000));
  process.stdout.write(`nest-orders listening on ${await app.getUrl()}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`nest-orders failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
