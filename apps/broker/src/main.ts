import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { BrokerNode, ConfigError, CoordinationUnavailableError, DataDirLockedError, installNativeCrc32c, loadBrokerConfig } from '@tributary/broker';
import { TributaryError } from '@tributary/protocol';
import type { Server as TlsServer } from 'tls';
import {
  BrokerIoAdapter,
  createPinoLogger,
  httpsOptions,
  reloadCertificatesOnChange,
  PinoBrokerLogger,
  PinoNestLogger,
  TributaryBrokerModule,
  type LogLevelName,
} from '@tributary/nestjs';

/** Before the config is read, the log settings are read alone, so even a config error is a log line. */
function earlyLogger(fd: 1 | 2, sync: boolean) {
  const level = (process.env.LOG_LEVEL ?? 'info') as LogLevelName;
  const pretty = process.env.LOG_PRETTY === 'true' || process.env.LOG_PRETTY === '1';
  const known = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level);
  return createPinoLogger({ level: known ? level : 'info', pretty, fd, sync, base: { brokerId: Number(process.env.BROKER_ID ?? -1) } });
}

const log = earlyLogger(1, false);
/** Why the process could not start (or stops) goes to stderr, synchronously: it exits right after. */
const fail = earlyLogger(2, true);

/** One process, one broker: settings come from the environment (see the README). */
async function main(): Promise<void> {
  const config = loadBrokerConfig(process.env);
  installNativeCrc32c();
  const logger = new PinoBrokerLogger(log);
  const tls = httpsOptions(config.security);
  const app = await NestFactory.create(TributaryBrokerModule.forRoot(config, { logger, startOnInit: false }), {
    logger: new PinoNestLogger(log.child({ component: 'nest' })),
    ...(tls ? { httpsOptions: tls } : {}),
  });
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
    fail.fatal({ event: 'fenced', reason: err.message }, `broker ${config.brokerId} fenced: ${err.message}`);
    process.exit(3);
  });
  // Test-only fault injection (README, "Idempotent producer"): drops every n-th produce acknowledgement after the append.
  const loseAcks = Number(process.env.TRIBUTARY_TEST_LOSE_PRODUCE_ACKS ?? 0);
  if (loseAcks > 0) {
    app.get(BrokerNode).loseProduceAcksForTests(loseAcks);
    log.warn({ event: 'test-hook' }, `TEST HOOK: every ${loseAcks}th produce acknowledgement is dropped (TRIBUTARY_TEST_LOSE_PRODUCE_ACKS)`);
  }
  // Listening first, so the health probes answer (ready: 503) while the broker registers and loads its logs.
  await app.listen(config.port, config.host);
  if (tls) {
    reloadCertificatesOnChange(app.getHttpServer() as TlsServer, config.security, (event, detail) =>
      event.endsWith('failed') ? log.warn({ event, ...detail }, event) : log.info({ event, ...detail }, event),
    );
  }
  await app.get(BrokerNode).start();
  log.info(
    { event: 'started', port: config.port, host: config.host, clusterId: config.clusterId, dataDir: config.dataDir },
    `broker ${config.brokerId} listening on ${app.get(BrokerNode).info.url} (cluster '${config.clusterId}', data ${config.dataDir}${tls ? `, TLS client auth ${config.security.tlsClientAuth}` : ''})`,
  );
  // Whether this broker is open to anyone who can reach its port: said at start, not left to be found out.
  const mechanisms = app.get(BrokerNode).security.mechanisms;
  log.info(
    { event: 'client-authentication', mechanisms },
    mechanisms.length === 0
      ? 'client authentication: none (AUTH=none): every connection is User:ANONYMOUS and ACLs are not enforced'
      : `client authentication: ${mechanisms.join(', ')}; ACLs enforced; super users: ${config.superUsers.join(', ') || '(none)'}`,
  );
  // Which secret peers must prove, by a fingerprint that is safe to log: compare it across brokers.
  const secret = app.get(BrokerNode).interBroker.source;
  if (secret) log.info({ event: 'inter-broker-secret' }, `inter-broker secret from ${secret.source}, fingerprint ${secret.fingerprint}`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    fail.error({ event: 'config-error' }, err.message);
    process.exit(2);
  }
  // Refusals of identity are expected operator errors: their message says it all, no stack.
  if (
    err instanceof DataDirLockedError ||
    err instanceof CoordinationUnavailableError ||
    (err instanceof TributaryError && err.type === 'DUPLICATE_BROKER_REGISTRATION')
  ) {
    fail.error({ event: 'start-refused' }, `broker failed to start: ${err.message}`);
    process.exit(1);
  }
  fail.error({ event: 'start-failed', err }, `broker failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
