import 'reflect-metadata';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { LogLevel, Tributary, type Admin } from '@tributary/client';
import { ReplyTimeoutError, TributaryClient, TributaryRpcContext, TributaryServer } from '@tributary/nestjs';
import { firstValueFrom } from 'rxjs';
import { waitFor } from './support/free-port';
import { TestCluster } from './support/test-cluster';

/**
 * The microservice transport against a real broker: @EventPattern and @MessagePattern handlers
 * behind TributaryServer, TributaryClient's emit() and send() (request/reply over a reply topic),
 * a throwing handler's retries and error reply, and send()'s timeout.
 */
jest.setTimeout(90_000);

const events: { value: unknown; key: string | null; header: string | undefined; partition: number }[] = [];
const failingAttempts: number[] = [];

@Controller()
class OrdersHandlers {
  @EventPattern('orders.created')
  created(@Payload() value: unknown, @Ctx() ctx: TributaryRpcContext): void {
    const message = ctx.getMessage();
    events.push({ value, key: message.key?.toString() ?? null, header: message.headers['trace']?.toString(), partition: ctx.getPartition() });
  }

  @MessagePattern('orders.get')
  get(@Payload() request: { id: string }): { id: string; status: string } {
    return { id: request.id, status: 'shipped' };
  }

  @MessagePattern('orders.fail')
  fail(@Payload() request: { id: string }, @Ctx() ctx: TributaryRpcContext): never {
    failingAttempts.push(ctx.getAttempt());
    throw new RpcException({ code: 'ORDER_BROKEN', id: request.id });
  }
}

describe('TributaryServer and TributaryClient', () => {
  let cluster: TestCluster;
  let tributary: Tributary;
  let admin: Admin;
  let service: INestMicroservice;
  let client: TributaryClient;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1 });
    const brokers = [cluster.brokers[0].url];
    tributary = new Tributary({ brokers, logLevel: LogLevel.NOTHING });
    admin = tributary.admin();
    await waitFor('the broker', async () => (await admin.describeCluster()).brokers.length === 1);
    await admin.createTopics({
      topics: ['orders.created', 'orders.get', 'orders.fail', 'orders.nobody'].map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
    });
    const moduleRef = await Test.createTestingModule({ controllers: [OrdersHandlers] }).compile();
    service = moduleRef.createNestMicroservice({
      strategy: new TributaryServer({ brokers, groupId: 'orders-service', logLevel: LogLevel.NOTHING, retry: { retries: 2, initialBackoffMs: 50 } }),
      logger: process.env.NEST_LOGS ? undefined : false,
    });
    await service.listen();
    client = new TributaryClient({ brokers, clientId: 'transport-test', replyTimeoutMs: 3_000, logLevel: LogLevel.NOTHING });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await service?.close();
    await tributary?.disconnect().catch(() => undefined);
    await cluster?.stop();
  });

  it('@EventPattern gets what emit() sends: value, key and headers', async () => {
    await firstValueFrom(client.emit('orders.created', { key: 'order-1', value: { id: 'order-1', item: 'book' }, headers: { trace: 'abc' } }));
    await firstValueFrom(client.emit('orders.created', { id: 'order-2' }));
    await waitFor('two events', () => events.length === 2, 15_000, 50);
    expect(events).toContainEqual(expect.objectContaining({ value: { id: 'order-1', item: 'book' }, key: 'order-1', header: 'abc' }));
    expect(events).toContainEqual(expect.objectContaining({ value: { id: 'order-2' }, key: null }));
  });

  it('@MessagePattern answers send() over the reply topic', async () => {
    const startedAt = Date.now();
    const replies = await Promise.all(['a', 'b', 'c'].map((id) => firstValueFrom(client.send<{ id: string; status: string }>('orders.get', { id }))));
    console.log(`3 concurrent request/replies in ${Date.now() - startedAt} ms`);
    expect(replies).toEqual(['a', 'b', 'c'].map((id) => ({ id, status: 'shipped' })));
  });

  it('a throwing handler is retried, then its error comes back as the reply (never a hang)', async () => {
    await expect(firstValueFrom(client.send('orders.fail', { id: 'x' }))).rejects.toEqual({ code: 'ORDER_BROKEN', id: 'x' });
    expect(failingAttempts).toEqual([1, 2, 3]);
  });

  it('send() errors with ReplyTimeoutError when nobody answers within replyTimeoutMs', async () => {
    const startedAt = Date.now();
    await expect(firstValueFrom(client.send('orders.nobody', { id: 'y' }))).rejects.toBeInstanceOf(ReplyTimeoutError);
    const waited = Date.now() - startedAt;
    console.log(`no reply: send() failed after ${waited} ms (replyTimeoutMs 3000)`);
    expect(waited).toBeGreaterThanOrEqual(2_900);
  });
});
