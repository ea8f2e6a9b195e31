/** Test-only helpers shared by the client's specs. */
import { createServer } from 'http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'net';
import { Cluster } from '../cluster/cluster';
import { createLogger, LogLevel } from '../logger/logger';
import { resolveRetry, type ResolvedRetryOptions } from '../retry/retrier';

export const quietLogger = createLogger(LogLevel.NOTHING);

/** Short backoffs so retry paths run in milliseconds. */
export const fastRetry: ResolvedRetryOptions = resolveRetry({ retries: 5, initialRetryTime: 10, maxRetryTime: 50 });

export function testCluster(brokers: string[], over: { requestTimeoutMs?: number; connectionTimeoutMs?: number; retry?: ResolvedRetryOptions } = {}): Cluster {
  return new Cluster({
    brokers,
    clientId: 'test',
    requestTimeoutMs: over.requestTimeoutMs ?? 2000,
    connectionTimeoutMs: over.connectionTimeoutMs ?? 1000,
    metadataMaxAgeMs: 300_000,
    retry: over.retry ?? fastRetry,
    logger: quietLogger,
  });
}

/** A loopback URL on which nothing listens (connections are refused). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `ws://127.0.0.1:${port}`;
}

export async function waitFor(predicate: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A loopback TCP server that accepts connections and never says a word: a blackholed broker. */
export async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
