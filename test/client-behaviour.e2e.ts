import { spawnSync } from 'child_process';
import { createServer, type Server as HttpServer } from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { Server } from 'socket.io';
import { LogLevel, RequestTimeoutError, Tributary } from '@tributary/client';
import { freePort, waitFor } from './support/free-port';
import { TestCluster } from './support/test-cluster';

const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');

/** Clients that behave at the edges: acks=0 flush on exit, bootstrap lists, request timeouts (issue 8, item 4). */
jest.setTimeout(240_000);

function cli(args: string[], input?: string, timeoutMs = 60_000) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - started };
}

async function logSize(brokers: string[], topic: string): Promise<number> {
  const admin = new Tributary({ brokers, logLevel: LogLevel.NOTHING }).admin();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + p.high - p.low, 0);
  } finally {
    await admin.disconnect();
  }
}

describe('client behaviour against real brokers', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('`produce --acks 0` of 1,000 lines then exit leaves all 1,000 in the log', async () => {
    const url = cluster.broker(1).url;
    expect(cli(['topics', 'create', 'acks0', '--partitions', '2', '--brokers', url]).code).toBe(0);
    const lines = Array.from({ length: 1000 }, (_, i) => `line-${i}`).join('\n') + '\n';
    const produced = cli(['produce', 'acks0', '--acks', '0', '--brokers', url], lines);
    expect(produced.err).toContain('sent 1000 record(s)');
    expect(produced.code).toBe(0);
    // the CLI has exited, so nothing is in flight from it: the broker has every record, though
    // its appends may still be finishing (acks=0 waits for none), hence the bounded wait
    await waitFor('1,000 records in the log', async () => (await logSize([url], 'acks0')) === 1000, 10_000).catch(async (err: Error) => {
      throw new Error(`${err.message}; the log holds ${await logSize([url], 'acks0')}`);
    });
  });
});
