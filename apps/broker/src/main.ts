import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { BrokerNode, ConfigError, CoordinationUnavailableError, DataDirLockedError, installNativeCrc32c, loadBrokerConfig } from '@tributary/broker';
import { TributaryError } from '@tributary/protocol';
import type { Server as TlsServer } from 'tls';
import { BrokerIoAdapter, httpsOptions, reloadCertificatesOnChange, TributaryBrokerModule } from '@tributary/nestjs';

/** One process, one broker: settings come from the environment (see the README). */
async function main(): Promise<void> {
  const config = loadBrokerConfig(process.env);
  installNativeCrc32c();
  const tls = httpsOptions(config.security);
  const app = await NestFactory.create(TributaryBrokerModule.forRoot(config), { logger: ['error', 'warn'], ...(tls ? { httpsOptions: tls } : {}) });
  app.useWebSocketAdapter(
    new BrokerIoAdapter(app, config.maxRequestBytes, config.limits, {
      quotas: app.get(BrokerNode).quotas,
      maxConnectionCreationRate: config.security.maxConnectionCreationRate,
    }),
  );
  app.enableShutdownHooks();
  // Another process took this broker id while this one was paused: it has stopped serving, and
  // must not live on under an identity that is no longer its own.
  app.get(BrokerNode).onFenced((err) => {
    process.stderr.write(`broker ${config.brokerId} fenced: ${err.message}\n`);
    process.exit(3);
  });
  // Test-only fault injection (README, "Idempotent producer"): drops every n-th produce acknowledgement after the append.
  const loseAcks = Number(process.env.TRIBUTARY_TEST_LOSE_PRODUCE_ACKS ?? 0);
  if (loseAcks > 0) {
    app.get(BrokerNode).loseProduceAcksForTests(loseAcks);
    process.stderr.write(`TEST HOOK: every ${loseAcks}th produce acknowledgement is dropped (TRIBUTARY_TEST_LOSE_PRODUCE_ACKS)\n`);
  }
  await app.listen(config.port, config.host);
  if (tls) {
    reloadCertificatesOnChange(app.getHttpServer() as TlsServer, config.security, (event, detail) =>
      process.stdout.write(
        `${JSON.stringify({ level: event.endsWith('failed') ? 'warn' : 'info', time: new Date().toISOString(), brokerId: config.brokerId, event, ...detail })}\n`,
      ),
    );
  }
  // Nest's own start-up chatter is off (logger above); this one line says the broker is up.
  process.stdout.write(
    `broker ${config.brokerId} listening on ${app.get(BrokerNode).info.url} (cluster '${config.clusterId}', data ${config.dataDir}${tls ? `, TLS client auth ${config.security.tlsClientAuth}` : ''})\n`,
  );
  // Whether this broker is open to anyone who can reach its port: said at start, not left to be found out.
  const mechanisms = app.get(BrokerNode).security.mechanisms;
  process.stdout.write(
    mechanisms.length === 0
      ? 'client authentication: none (AUTH=none): every connection is User:ANONYMOUS and ACLs are not enforced\n'
      : `client authentication: ${mechanisms.join(', ')}; ACLs enforced; super users: ${config.superUsers.join(', ') || '(none)'}\n`,
  );
  // Which secret peers must prove, by a fingerprint that is safe to log: compare it across brokers.
  const secret = app.get(BrokerNode).interBroker.source;
  if (secret) process.stdout.write(`inter-broker secret from ${secret.source}, fingerprint ${secret.fingerprint}\n`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  // Refusals of identity are expected operator errors: their message says it all, no stack.
  if (
    err instanceof DataDirLockedError ||
    err instanceof CoordinationUnavailableError ||
    (err instanceof TributaryError && err.type === 'DUPLICATE_BROKER_REGISTRATION')
  ) {
    process.stderr.write(`broker failed to start: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`broker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
