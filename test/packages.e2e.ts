import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { BrokerProcess, ManagedProcess } from '@tributary/process-kit';
import { LogLevel, Tributary } from '@tributary/client';
import { freePort, waitFor } from './support/free-port';
import { findChromium, installScratchProject, packPackages } from './support/scratch-project';
import { TestCluster } from './support/test-cluster';

/**
 * The published packages as a new user gets them: `npm pack` of @tributary/client,
 * @tributary/nestjs and tributary (scripts/pack.js over `npm run build`'s dist), installed from
 * the tarballs into a project in a temp dir outside the repository (offline, from the npm
 * cache), then: a Node script produces and consumes (CommonJS and ESM entry points), a Nest app
 * compiled against the packages' types boots with TributaryModule and a listener, the
 * `tributary` bin answers and its broker serves, and the browser bundle produces and consumes from a page.
 */
jest.setTimeout(240_000);

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..');

describe('installable packages', () => {
  let cluster: TestCluster;
  let dir: string;
  let brokerUrl: string;
  const processes: ManagedProcess[] = [];
  const brokers: BrokerProcess[] = [];
  let server: http.Server | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-packages-'));
    const [started, tarballs] = await Promise.all([TestCluster.start({ brokers: 1 }), packPackages(path.join(dir, 'tarballs'))]);
    cluster = started;
    brokerUrl = cluster.brokers[0].url;
    for (const t of Object.values(tarballs)) console.log(`packed ${path.basename(t.file)}: ${Math.round(fs.statSync(t.file).size / 1024)} KiB`);
    const installedAt = Date.now();
    await installScratchProject(dir, tarballs, ['@nestjs/common', '@nestjs/core', '@nestjs/microservices', 'reflect-metadata', 'rxjs']);
    console.log(`npm ci --offline of the tarballs took ${Date.now() - installedAt} ms`);
    const client = new Tributary({ brokers: [brokerUrl], logLevel: LogLevel.NOTHING });
    const admin = client.admin();
    await waitFor('the broker', async () => (await admin.describeCluster()).brokers.length === 1);
    await admin.createTopics({ topics: ['from-node', 'from-nest', 'from-browser'].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
    await client.disconnect();
  });

  afterAll(async () => {
    await Promise.all([...processes, ...brokers].map((p) => p.stop()));
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function node(file: string, source: string): Promise<string> {
    fs.writeFileSync(path.join(dir, file), source);
    const { stdout } = await run('node', [file], { cwd: dir, env: { ...process.env, BROKERS: brokerUrl }, timeout: 60_000 });
    return stdout.trim();
  }

  it('a Node script produces and consumes with @tributary/client (require and import)', async () => {
    const out = await node(
      'client.cjs',
      `
      const { Tributary, LogLevel } = require('@tributary/client');
      (async () => {
        const esm = await import('@tributary/client');
        if (typeof esm.Tributary !== 'function') throw new Error('the ESM entry has no Tributary');
        const t = new Tributary({ brokers: [process.env.BROKERS], logLevel: LogLevel.NOTHING });
        const producer = t.producer();
        await producer.send({ topic: 'from-node', messages: [{ key: 'k', value: 'hello from node' }] });
        const consumer = t.consumer();
        consumer.assign([{ topic: 'from-node', partition: 0, offset: 0 }]);
        const value = await new Promise((resolve) => consumer.run({ eachMessage: async ({ message }) => resolve(message.value.toString()) }));
        await t.disconnect();
        console.log(JSON.stringify({ value, esm: typeof esm.Tributary }));
      })().catch((e) => { console.error(e); process.exit(1); });
      `,
    );
    expect(JSON.parse(out)).toEqual({ value: 'hello from node', esm: 'function' });
  });

  it('a Nest app compiled against @tributary/nestjs boots with TributaryModule and its listener consumes', async () => {
    fs.mkdirSync(path.join(dir, 'nest'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'nest', 'app.ts'),
      `
      import 'reflect-metadata';
      import { Injectable, Module } from '@nestjs/common';
      import { NestFactory } from '@nestjs/core';
      import type { Producer } from '@tributary/client';
      import { TRIBUTARY_PRODUCER, TributaryBrokerModule, TributaryContext, TributaryListener, TributaryModule } from '@tributary/nestjs';

      let resolveGot: (v: string) => void;
      const got = new Promise<string>((resolve) => (resolveGot = resolve));

      @Injectable()
      class Listener {
        @TributaryListener({ topic: 'from-nest', groupId: 'scratch-nest', fromBeginning: true })
        async on(payload: { hello: string }, ctx: TributaryContext): Promise<void> {
          resolveGot(payload.hello + '@' + ctx.offset);
        }
      }

      @Module({ imports: [TributaryModule.forRoot({ brokers: [process.env.BROKERS as string], clientId: 'scratch' })], providers: [Listener] })
      class AppModule {}

      async function main(): Promise<void> {
        const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
        await app.get<Producer>(TRIBUTARY_PRODUCER).send({ topic: 'from-nest', messages: [{ value: JSON.stringify({ hello: 'nest' }) }] });
        const value = await got;
        await app.close();
        console.log(JSON.stringify({ value, brokerModule: typeof TributaryBrokerModule.forRootAsync }));
      }
      main().catch((e) => { console.error(e); process.exit(1); });
      `,
    );
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'commonjs',
        moduleResolution: 'node',
        strict: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        skipLibCheck: true,
        esModuleInterop: true,
        outDir: 'out',
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
      files: ['app.ts'],
    };
    fs.writeFileSync(path.join(dir, 'nest', 'tsconfig.json'), JSON.stringify(tsconfig));
    await run('node', [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(dir, 'nest')], { cwd: dir });
    const { stdout } = await run('node', [path.join('nest', 'out', 'app.js')], { cwd: dir, env: { ...process.env, BROKERS: brokerUrl }, timeout: 60_000 });
    expect(JSON.parse(stdout.trim())).toEqual({ value: 'nest@0', brokerModule: 'function' });
  });

  it('the tributary package: its bin runs, and its broker serves produce and fetch (Lua scripts and all)', async () => {
    const { stdout } = await run(path.join(dir, 'node_modules', '.bin', 'tributary'), ['--help'], { cwd: dir });
    expect(stdout).toContain('Usage: tributary');

    // a one-broker cluster of its own on the test's Redis (another cluster id, so another key prefix)
    const broker = new BrokerProcess({
      id: 1,
      port: await freePort(),
      host: '127.0.0.1',
      redisUrl: cluster.redis.url,
      dataDir: path.join(dir, 'packaged-broker'),
      clusterId: `packaged-${process.pid}`,
      main: path.join(dir, 'node_modules', 'tributary', 'dist', 'apps', 'broker', 'src', 'main.js'),
      interBrokerSecret: 'packaged-broker-secret-of-at-least-32-characters',
    });
    brokers.push(broker);
    await broker.start();
    const client = new Tributary({ brokers: [broker.url], logLevel: LogLevel.NOTHING });
    try {
      const admin = client.admin();
      await admin.createTopics({ topics: [{ topic: 'packaged', numPartitions: 1, replicationFactor: 1 }] });
      await client.producer().send({ topic: 'packaged', messages: [{ value: 'from the packaged broker' }] });
      const consumer = client.consumer();
      consumer.assign([{ topic: 'packaged', partition: 0, offset: 0 }]);
      const value = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') }));
      expect(value).toBe('from the packaged broker');
    } finally {
      await client.disconnect();
      await broker.stop();
    }
  });

  it('the browser bundle produces and consumes from a page (no Node globals)', async () => {
    const bundle = fs.readFileSync(path.join(dir, 'node_modules', '@tributary', 'client', 'dist', 'browser', 'tributary-client.iife.js'), 'utf8');
    const script = `
      (async () => {
        const { Tributary, LogLevel } = TributaryClient;
        const t = new Tributary({ brokers: [BROKER], clientId: 'browser', logLevel: LogLevel.NOTHING });
        const producer = t.producer();
        await producer.send({ topic: 'from-browser', messages: [{ key: 'k', value: 'hello from the browser' }] });
        const consumer = t.consumer();
        consumer.assign([{ topic: 'from-browser', partition: 0, offset: 0 }]);
        const value = await new Promise((resolve) => consumer.run({ eachMessage: async ({ message }) => resolve(message.value.toString()) }));
        await t.disconnect();
        return { value, nodeGlobals: typeof process !== 'undefined' || typeof require !== 'undefined' };
      })()`;
    // TRIBUTARY_TEST_BROWSER=vm forces the fallback, to check it on a machine that has Chromium
    const chromium = process.env.TRIBUTARY_TEST_BROWSER === 'vm' ? null : findChromium();
    let result: unknown;
    if (chromium) {
      result = await inChromium(chromium, bundle, script);
    } else {
      console.log('Chromium not found: the browser bundle runs in a Node process stripped of Node globals instead');
      result = await inNodeWithoutGlobals(bundle, script);
    }
    expect(result).toEqual({ value: 'hello from the browser', nodeGlobals: false });
  });

  async function inChromium(binary: string, bundle: string, script: string): Promise<unknown> {
    let report: (body: string) => void = () => undefined;
    const reported = new Promise<string>((resolve) => (report = resolve));
    const page = `<!doctype html><script src="/bundle.js"></script><script>const BROKER = ${JSON.stringify(brokerUrl)};
      ${script}.then((r) => r, (e) => ({ error: String(e && e.stack || e) })).then((r) => fetch('/result', { method: 'POST', body: JSON.stringify(r) }));</script>`;
    server = http.createServer((req, res) => {
      if (req.url === '/bundle.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      if (req.url === '/result') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          res.writeHead(204).end();
          report(body);
        });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    const browser = new ManagedProcess({
      name: 'chromium',
      command: binary,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        `--user-data-dir=${path.join(dir, 'chromium-profile')}`,
        `http://127.0.0.1:${port}/`,
      ],
    });
    processes.push(browser);
    browser.start();
    let timer: NodeJS.Timeout | undefined;
    const body = await Promise.race([
      reported,
      new Promise<string>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no result from the page; chromium said: ${browser.output.slice(-2000)}`)), 60_000);
      }),
    ]).finally(() => clearTimeout(timer));
    await browser.stop();
    console.log(`browser bundle in ${path.basename(binary)}: ${body}`);
    return JSON.parse(body) as unknown;
  }

  /**
   * Without Chromium: in a Node process, the bundle and the page script run as functions whose
   * parameters shadow every Node global (process, Buffer, global, require, module, setImmediate...)
   * with undefined, and a global WebSocket (ws's) as a browser has one. Not another vm realm:
   * ws hands over ArrayBuffers that would fail that realm's `instanceof ArrayBuffer`, which no
   * browser does.
   */
  async function inNodeWithoutGlobals(bundle: string, script: string): Promise<unknown> {
    fs.writeFileSync(path.join(dir, 'bundle.js'), bundle);
    fs.writeFileSync(path.join(dir, 'page.js'), script);
    const runner = `
      const fs = require('fs');
      const WebSocket = require(${JSON.stringify(require.resolve('ws'))});
      const write = (text) => process.stdout.write(text);
      // socket.io-client looks WebSocket up on the global object, as in a page
      globalThis.WebSocket = WebSocket;
      const hidden = ['process', 'Buffer', 'global', 'require', 'module', 'exports', '__dirname', '__filename', 'setImmediate', 'clearImmediate'];
      const none = hidden.map(() => undefined);
      const TributaryClient = new Function(...hidden, fs.readFileSync('bundle.js', 'utf8') + '\\nreturn TributaryClient;')(...none);
      const page = new Function('TributaryClient', 'WebSocket', 'BROKER', ...hidden, 'return ' + fs.readFileSync('page.js', 'utf8').trim());
      page(TributaryClient, WebSocket, ${JSON.stringify(brokerUrl)}, ...none).then(
        (r) => write(JSON.stringify(r)),
        (e) => write(JSON.stringify({ error: String((e && e.stack) || e) })),
      );
    `;
    return JSON.parse(await node('no-node-globals.cjs', runner)) as unknown;
  }
});
