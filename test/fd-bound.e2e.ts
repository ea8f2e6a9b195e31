import { Buffer } from 'buffer';
import * as fs from 'fs';
import { encodeRecordBatch, type CreateTopicsResponse } from '@tributary/protocol';
import { sleep, waitFor } from './support/free-port';
import { TestCluster } from './support/test-cluster';
import { waitForLeaders, Wire } from './support/timestamp-helpers';

jest.setTimeout(240_000);

const PARTITIONS = 400;
const openFds = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;

/**
 * Issue 9 item 3: a broker's open files must not grow by several per partition, or a few
 * thousand partitions exhaust the default 20,000-file limit. Idle partitions hold at most their
 * active segment's .log open; index files are opened only to be written.
 */
describe('file descriptors per partition (one real broker)', () => {
  let cluster: TestCluster;
  let wire: Wire;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1, brokerEnv: { LOG_FLUSH_INTERVAL_MS: '200' } });
    wire = await Wire.connect(cluster.brokers[0].url);
    await waitFor('controller', async () => (await wire.metadata()).controllerId === 1);
  });

  afterAll(async () => {
    wire?.close();
    await cluster?.stop();
  });

  it(`${PARTITIONS} written partitions cost at most about one fd each`, async () => {
    const pid = cluster.brokers[0].pid as number;
    await sleep(500);
    const before = openFds(pid);
    const r = await wire.sock.request<CreateTopicsResponse>('createTopics', { topics: [{ name: 'many', numPartitions: PARTITIONS, replicationFactor: 1 }] }, 60_000);
    expect(r.topics[0].errorCode).toBe(0);
    await waitForLeaders(wire, 'many');
    for (let p = 0; p < PARTITIONS; p++) {
      // Enough bytes per partition that each has .index/.timeindex entries to persist.
      const batch = encodeRecordBatch(Array.from({ length: 3 }, (_, i) => ({ key: null, value: Buffer.alloc(2000, i), timestamp: Date.now() })));
      expect((await wire.produce('many', p, batch, 1)).errorCode).toBe(0);
      expect((await wire.produce('many', p, batch, 1)).errorCode).toBe(0);
    }
    await sleep(1000); // a few flush intervals: index files get written
    const after = openFds(pid);
    const perPartition = (after - before) / PARTITIONS;
    console.log(`open fds: ${before} before, ${after} after ${PARTITIONS} partitions: ${perPartition.toFixed(2)} per partition`);
    expect(perPartition).toBeLessThanOrEqual(1.1);
  });
});
