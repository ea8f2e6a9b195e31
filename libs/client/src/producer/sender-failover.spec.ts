import { createServer, type Server as HttpServer } from 'http';
import type { AddressInfo } from 'net';
import { Server } from 'socket.io';
import { ErrorCode } from '@tributary/protocol';
import { RetriesExhaustedError } from '../errors';
import { FakeCluster } from '../testing/fake-broker';
import { fastRetry, quietLogger, testCluster } from '../testing/helpers';
import { Producer } from './producer';
import type { ProducerOptions } from './types';

/** A socket.io server that accepts connections and never answers: a paused leader, as the client sees it. */
async function silentBroker(): Promise<{ url: string; produces: () => number; close: () => Promise<void> }> {
  const http: HttpServer = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  let produces = 0;
  io.on('connection', (socket) => socket.on('produce', () => produces++));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
    produces: () => produces,
    close: () => new Promise<void>((resolve, reject) => void io.close(() => resolve()).catch(reject)),
  };
}

describe('Sender failover', () => {
  let fake: FakeCluster;
  const producers: Producer[] = [];

  const producer = (options: ProducerOptions, brokers = fake.urls): Producer => {
    const p = new Producer({ cluster: testCluster(brokers), requestTimeoutMs: 20_000, retry: fastRetry, logger: quietLogger }, options);
    producers.push(p);
    return p;
  };

  beforeEach(async () => {
    fake = await FakeCluster.start(2);
    fake.createTopic('orders', 2, 1);
  });

  afterEach(async () => {
    await Promise.all(producers.splice(0).map((p) => p.disconnect().catch(() => undefined)));
    await fake.stop();
  });

  it('with retries: 0, a send that failed on a moved leader refreshes metadata, so the next send goes to the new leader', async () => {
    const p = producer({ lingerMs: 0, retry: { retries: 0 } });
    await p.send({ topic: 'orders', messages: [{ value: 'a', partition: 0 }] });
    fake.setLeader('orders', 0, 2);
    const err = await p.send({ topic: 'orders', messages: [{ value: 'b', partition: 0 }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect((err as RetriesExhaustedError).cause).toMatchObject({ code: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    await new Promise((r) => setTimeout(r, 100));
    const [meta] = await p.send({ topic: 'orders', messages: [{ value: 'c', partition: 0 }] });
    expect(meta.baseOffset).toBe(1);
    expect(fake.values('orders', 0)).toEqual(['a', 'c']);
    expect(fake.countRequests('produce', 2)).toBe(1);
  });

  it('abandons a request its leader does not answer once another broker names a new leader, keeping per-partition order', async () => {
    const silent = await silentBroker();
    try {
      // broker 1 is advertised at an address that accepts the request and never answers
      fake.brokers[0].url = silent.url;
      const p = producer({ lingerMs: 0, acks: 'all', timeoutMs: 30_000 }, [fake.brokers[1].url]);
      await p.connect();
      const startedAt = Date.now();
      const first = p.send({ topic: 'orders', messages: [{ value: 'm1', partition: 0 }] });
      await new Promise((r) => setTimeout(r, 300));
      expect(silent.produces()).toBe(1);
      const second = p.send({ topic: 'orders', messages: [{ value: 'm2', partition: 0 }] });
      fake.setLeader('orders', 0, 2);
      const [r1] = await first;
      const [r2] = await second;
      const tookMs = Date.now() - startedAt;
      expect(tookMs).toBeLessThan(5000);
      expect([r1.baseOffset, r2.baseOffset]).toEqual([0, 1]);
      expect(fake.values('orders', 0)).toEqual(['m1', 'm2']);
    } finally {
      await silent.close();
    }
  });
});
