import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCode } from '@tributary/protocol';
import { BROKER_MAIN } from './support/broker-process';
import { freePort, waitFor } from './support/free-port';
import { RawSocket } from './support/raw-socket';
import { TestCluster } from './support/test-cluster';

/**
 * Settings that used to be hard-coded reach a real broker process from its environment, and a
 * contradictory pair stops the process at start with a message naming the setting.
 */
jest.setTimeout(120_000);

describe('broker settings (one real broker)', () => {
  let cluster: TestCluster;
  let sock: RawSocket;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1, brokerEnv: { GROUP_MIN_SESSION_TIMEOUT_MS: '2000', GROUP_MAX_SESSION_TIMEOUT_MS: '20000' } });
    sock = await RawSocket.connect(cluster.brokers[0].url);
    await waitFor('controller', async () => (await sock.request<{ controllerId: number }>('metadata', {})).controllerId === 1);
  });

  afterAll(async () => {
    sock?.close();
    await cluster?.stop();
  });

  // A join inside the bounds waits out the rebalance, so that is kept short.
  const join = (sessionTimeoutMs: number) =>
    sock.request<{ errorCode: number; errorMessage?: string }>(
      'joinGroup',
      { groupId: 'settings-group', memberId: '', clientId: 'settings', sessionTimeoutMs, rebalanceTimeoutMs: 500, topics: ['t'], assignors: ['range'] },
      30_000,
    );

  it('refuses a consumer session timeout outside GROUP_MIN/MAX_SESSION_TIMEOUT_MS with INVALID_SESSION_TIMEOUT', async () => {
    for (const outside of [500, 1999, 20_001, 1_800_000]) {
      const r = await join(outside);
      expect(r.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
      expect(r.errorMessage).toContain('between 2000 and 20000');
    }
    for (const inside of [2000, 20_000]) expect((await join(inside)).errorCode).not.toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
  });

  it('exits at start, naming the settings, when the session bounds contradict each other', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-settings-'));
    const env = {
      ...process.env,
      BROKER_ID: '2',
      PORT: String(await freePort()),
      REDIS_URL: cluster.redis.url,
      DATA_DIR: dir,
      CLUSTER_ID: 'settings-bad',
      GROUP_MIN_SESSION_TIMEOUT_MS: '30000',
      GROUP_MAX_SESSION_TIMEOUT_MS: '20000',
    };
    const proc = spawn(process.execPath, [BROKER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/GROUP_MIN_SESSION_TIMEOUT_MS='30000': must not exceed GROUP_MAX_SESSION_TIMEOUT_MS \(20000\)/);
      // Refused before touching anything: no lock, no logs in the data directory.
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
