import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { LogLevel, Tributary } from '@tributary/client';
import { ManagedProcess } from '@tributary/process-kit';
import { freePort, waitFor } from './support/free-port';
import { TestCluster } from './support/test-cluster';

/**
 * The examples/nest-orders app as built by `npm run build` (dist/examples), two instances as
 * real processes against a real cluster: orders placed over HTTP reach both instances' listener
 * group, request/reply answers from any instance, and /health reports the group.
 */
jest.setTimeout(90_000);

const MAIN = path.join(__dirname, '..', 'dist', 'examples', 'nest-orders', 'src', 'main.js');
const EMBEDDED = path.join(__dirname, '..', 'dist', 'examples', 'nest-orders', 'src', 'embedded-broker.main.js');

describe('examples/nest-orders', () => {
  let cluster: TestCluster;
  const instances: { process: ManagedProcess; url: string }[] = [];
  let embedded: ManagedProcess | undefined;
  let embeddedDir: string | undefined;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1 });
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const process = new ManagedProcess({
        name: `nest-orders ${i}`,
        command: 'node',
        args: [MAIN],
        env: { ...globalThis.process.env, PORT: String(port), TRIBUTARY_BROKERS: cluster.brokers[0].url },
      });
      process.start();
      instances.push({ process, url: `http://127.0.0.1:${port}` });
      // one after the other: the first creates the topics
      await waitFor(`nest-orders ${i} listening`, () => process.output.includes('nest-orders listening'), 45_000, 100);
    }
  });

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.process.stop()));
    await embedded?.stop();
    if (embeddedDir) fs.rmSync(embeddedDir, { recursive: true, force: true });
    await cluster?.stop();
  });

  async function http(method: string, url: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }

  it('places orders, consumes them as one group across both instances, answers request/reply, and reports health', async () => {
    const [first, second] = instances;
    const ids = Array.from({ length: 16 }, (_, i) => `o-${i}`);
    for (const id of ids) {
      const placed = await http('POST', `${first.url}/orders`, { id, item: `item ${id}`, quantity: 1 });
      expect(placed.status).toBe(201);
    }
    // each order is in exactly one instance's read model (the group shares the 4 partitions)
    const local = async (id: string): Promise<number> => {
      const found = await Promise.all(instances.map(async (i) => (await http('GET', `${i.url}/orders/${id}/local`)).status === 200));
      return found.filter(Boolean).length;
    };
    await waitFor('every order projected', async () => (await Promise.all(ids.map(local))).every((n) => n === 1), 30_000, 200);
    const perInstance = await Promise.all(
      instances.map(
        async (i) => (await Promise.all(ids.map(async (id) => (await http('GET', `${i.url}/orders/${id}/local`)).status === 200))).filter(Boolean).length,
      ),
    );
    console.log(`orders per instance: ${perInstance.join(' + ')}`);
    expect(perInstance.every((n) => n > 0)).toBe(true);

    // request/reply: whichever instance consumes orders.get answers, if it holds the order; the
    // other answers 404-as-error: ask for an order until one reply says found
    const reply = await waitFor(
      'a request/reply answer',
      async () => {
        for (const id of ids) {
          const r = await http('GET', `${second.url}/orders/${id}`);
          if (r.status === 200) return r.body;
        }
        return undefined;
      },
      20_000,
      200,
    );
    expect(reply).toMatchObject({ order: { item: expect.stringMatching(/^item o-/) }, servedFrom: expect.stringMatching(/^orders\.get\/\d$/) });

    const health = await http('GET', `${first.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', info: { tributary: { status: 'up', members: 2 } } });
  });

  it('the embedded broker (TributaryBrokerModule.forRootAsync reading ConfigService) serves clients', async () => {
    embeddedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-embedded-'));
    const port = await freePort();
    embedded = new ManagedProcess({
      name: 'embedded broker',
      command: 'node',
      args: [EMBEDDED],
      env: {
        ...process.env,
        BROKER_ID: '7',
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: cluster.redis.url,
        DATA_DIR: embeddedDir,
        CLUSTER_ID: `embedded-${process.pid}`,
      },
    });
    embedded.start();
    await waitFor('the embedded broker listening', () => embedded?.output.includes('embedded broker listening'), 30_000, 100);
    const client = new Tributary({ brokers: [`127.0.0.1:${port}`], logLevel: LogLevel.NOTHING });
    try {
      const described = await waitFor('the embedded broker registered', async () => {
        const d = await client.admin().describeCluster();
        return d.brokers.length === 1 ? d : undefined;
      });
      expect(described.brokers[0].id).toBe(7);
    } finally {
      await client.disconnect();
    }
  });
});
