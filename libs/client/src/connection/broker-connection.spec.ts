import { Buffer } from 'buffer';
import { createServer, type Server as HttpServer } from 'http';
import type { AddressInfo } from 'net';
import { Server } from 'socket.io';
import { ErrorCode, TributaryError, type ResponseBase } from '@tributary/protocol';
import { ConnectionError, RequestTimeoutError } from '../errors';
import { deadUrl, quietLogger } from '../testing/helpers';
import { BrokerConnection } from './broker-connection';
import { normalizeBinary } from './normalize-binary';

describe('normalizeBinary', () => {
  it('turns ArrayBuffers and typed arrays into Buffers, deep inside plain objects', () => {
    const ab = new Uint8Array([1, 2, 3]).buffer;
    const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    const out = normalizeBinary({ a: ab, list: [view], n: 1, s: 'x', nested: { b: null } }) as {
      a: Buffer;
      list: Buffer[];
      n: number;
      s: string;
      nested: { b: null };
    };
    expect(Buffer.isBuffer(out.a)).toBe(true);
    expect([...out.a]).toEqual([1, 2, 3]);
    expect(Buffer.isBuffer(out.list[0])).toBe(true);
    expect([...out.list[0]]).toEqual([8, 7]);
    expect(out.n).toBe(1);
    expect(out.s).toBe('x');
    expect(out.nested).toEqual({ b: null });
  });

  it('leaves Buffers as they are', () => {
    const b = Buffer.from('abc');
    expect(normalizeBinary(b)).toBe(b);
  });
});

describe('BrokerConnection', () => {
  let http: HttpServer;
  let io: Server;
  let url: string;
  let connection: BrokerConnection;

  beforeEach(async () => {
    http = createServer();
    io = new Server(http, { transports: ['websocket'] });
    io.on('connection', (socket) => {
      socket.on('echo', (payload: unknown, ack: (r: unknown) => void) => ack({ errorCode: 0, payload }));
      socket.on('fail', (_p: unknown, ack: (r: unknown) => void) => ack({ errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'ask broker 2' }));
      socket.on('silent', () => undefined);
      socket.on('hangup', () => socket.disconnect(true));
      socket.on('garbage', (_p: unknown, ack: (r: unknown) => void) => ack('nonsense'));
      socket.on('throttled', (_p: unknown, ack: (r: unknown) => void) => ack({ errorCode: 0, throttleTimeMs: 300 }));
      socket.on('stamp', (_p: unknown, ack: (r: unknown) => void) => ack({ errorCode: 0, at: performance.now() }));
      socket.on('whoami', (_p: unknown, ack: (r: unknown) => void) => ack({ errorCode: 0, auth: socket.handshake.auth }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
    connection = new BrokerConnection({ url, clientId: 'test', connectionTimeoutMs: 1000, requestTimeoutMs: 1000, logger: quietLogger });
  });

  afterEach(async () => {
    connection.close();
    await new Promise<void>((resolve, reject) => void io.close(() => resolve()).catch(reject));
  });

  // event names are typed to the protocol's; these test-only ones go through a cast
  const ev = (name: string) => name as 'metadata';

  it('sends a request and resolves with the answer, binary included', async () => {
    const res = await connection.request<{ data: Buffer }, ResponseBase & { payload: { data: Buffer } }>(ev('echo'), { data: Buffer.from([1, 2, 3]) });
    expect(Buffer.isBuffer(res.payload.data)).toBe(true);
    expect([...res.payload.data]).toEqual([1, 2, 3]);
  });

  it('throws a TributaryError carrying the code when the answer has a non-zero errorCode', async () => {
    const err = (await connection.request(ev('fail'), {}).catch((e: unknown) => e)) as TributaryError;
    expect(err).toBeInstanceOf(TributaryError);
    expect(err.type).toBe('NOT_CONTROLLER');
    expect(err.message).toBe('ask broker 2');
    expect(err.retriable).toBe(true);
  });

  it('says in its handshake that it throttles itself, and sends nothing for throttleTimeMs after a throttled answer', async () => {
    expect((await connection.request<unknown, ResponseBase & { auth: unknown }>(ev('whoami'), {})).auth).toEqual({ clientId: 'test', throttleAware: true });
    await connection.request(ev('throttled'), {});
    const asked = performance.now();
    expect(connection.throttleRemainingMs).toBeGreaterThan(200);
    const [a, b] = await Promise.all([
      connection.request<unknown, ResponseBase & { at: number }>(ev('stamp'), {}),
      connection.request<unknown, ResponseBase & { at: number }>(ev('stamp'), {}),
    ]);
    // the server (same process, same clock) saw both only after the throttle time
    expect(Math.min(a.at, b.at) - asked).toBeGreaterThanOrEqual(250);
    expect(connection.throttleRemainingMs).toBe(0);
  });

  it('times out with a retriable REQUEST_TIMED_OUT naming the request and the broker', async () => {
    const started = Date.now();
    const err = (await connection.request(ev('silent'), {}, 200).catch((e: unknown) => e)) as RequestTimeoutError;
    const took = Date.now() - started;
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(err.code).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(err.retriable).toBe(true);
    expect(err.event).toBe('silent');
    expect(err.broker).toBe(url);
    expect(err.message).toBe(`silent request to ${url} timed out after 200 ms`);
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2000);
  });

  it('uses requestTimeoutMs when the caller names no timeout, and a timed-out request holds nothing', async () => {
    let answerLate: (() => void) | undefined;
    io.on('connection', (socket) => socket.on('late', (_p: unknown, ack: (r: unknown) => void) => (answerLate = () => ack({ errorCode: 0 }))));
    const quick = new BrokerConnection({ url, clientId: 't', connectionTimeoutMs: 1000, requestTimeoutMs: 150, logger: quietLogger });
    await expect(quick.request(ev('late'), {})).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(quick.inFlight).toBe(0);
    // the answer that comes after the timeout finds nothing waiting for it, and the connection still works
    answerLate?.();
    await expect(quick.request(ev('echo'), { n: 1 })).resolves.toMatchObject({ errorCode: 0 });
    expect(quick.inFlight).toBe(0);
    quick.close();
  });

  it('flushSends: every ack-less send is taken in by the server before the socket closes', async () => {
    let received = 0;
    io.on('connection', (socket) => {
      socket.on('fire', () => void received++);
      socket.on('metadata', (_p: unknown, ack: (r: unknown) => void) => ack({ errorCode: 0 }));
    });
    await connection.connect();
    // enough binary frames that some are still in the socket's buffers when close() runs
    for (let i = 0; i < 200; i++) await connection.send(ev('fire'), { data: Buffer.alloc(2048, i) });
    await connection.flushAndClose();
    expect(received).toBe(200);
    expect(connection.isClosed).toBe(true);
  });

  it('flushSends does nothing (no round trip) when nothing was sent without an ack', async () => {
    let barriers = 0;
    io.on('connection', (socket) => socket.on('metadata', (_p: unknown, ack: (r: unknown) => void) => (barriers++, ack({ errorCode: 0 }))));
    await connection.request(ev('echo'), {});
    await connection.flushSends();
    expect(barriers).toBe(0);
    await connection.send(ev('fire'), {});
    await connection.flushSends();
    await connection.flushSends();
    expect(barriers).toBe(1);
  });

  it('flushSends rejects, naming the count, when the server never confirms', async () => {
    await connection.send(ev('fire'), {});
    const err = (await connection.flushAndClose(100).catch((e: unknown) => e)) as ConnectionError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/1 ack-less send\(s\) to .* could not be confirmed: metadata request to .* timed out after 100 ms/);
    expect(connection.isClosed).toBe(true);
  });

  it('fails pending requests with a retriable NETWORK_EXCEPTION on disconnect, and reconnects on the next request', async () => {
    const pending = connection.request(ev('silent'), {}, 5000);
    await connection.request(ev('hangup'), {}, 5000).catch(() => undefined);
    const err = (await pending.catch((e: unknown) => e)) as TributaryError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe(ErrorCode.NETWORK_EXCEPTION);
    expect(err.retriable).toBe(true);
    const res = await connection.request<{ n: number }, ResponseBase & { payload: { n: number } }>(ev('echo'), { n: 7 });
    expect(res.payload.n).toBe(7);
  });

  it('rejects a malformed answer', async () => {
    await expect(connection.request(ev('garbage'), {})).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_SERVER_ERROR });
  });

  it('fails to connect to a dead address with a retriable ConnectionError', async () => {
    const dead = new BrokerConnection({ url: await deadUrl(), clientId: 't', connectionTimeoutMs: 1000, requestTimeoutMs: 1000, logger: quietLogger });
    const err = (await dead.connect().catch((e: unknown) => e)) as TributaryError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.retriable).toBe(true);
    dead.close();
  });
});
