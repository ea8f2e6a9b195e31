import { spawnSync } from 'child_process';
import { createHmac } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { LogLevel, Tributary, type ClientAuth, type Consumer } from '@tributary/client';
import { waitFor } from './support/free-port';
import { TestCluster } from './support/test-cluster';

/**
 * Issue 14, the web console: two real brokers with AUTH=scram,token serve /console; a real headless
 * Chromium (Debian's package, driven by playwright-core over CDP) logs in through the page's form (SCRAM, then a token),
 * then sees the topic this test created with its partitions, a record this test produces arriving
 * in the live tail, a group's lag, and writes a record with the page's produce form.
 */
jest.setTimeout(120_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
const OUTPUT = path.resolve(__dirname, '..', 'test-output');
const ADMIN = { user: 'admin', password: 'console-admin-secret' };
const TOPIC = 'console-orders';
const LAGGING = 'console-lagging';
const GROUP = 'console-readers';
const TOKEN_SECRET = 'console-e2e-token-secret-of-32-characters-or-more';
/** an HS256 JWT as an app's backend would issue it */
function token(sub: string): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${head}.${createHmac('sha256', TOKEN_SECRET).update(head).digest('base64url')}`;
}
/** "within a second or two" (the issue), with room for a loaded machine */
const TAIL_BOUND_MS = 3000;

describe('web console at /console in headless Chromium', () => {
  let cluster: TestCluster;
  let client: Tributary;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];

  const auth: ClientAuth = { mechanism: 'scram-sha-256', username: ADMIN.user, password: ADMIN.password };
  const shot = async (name: string) => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, name), fullPage: true });
  };

  beforeAll(async () => {
    expect(fs.existsSync(CHROMIUM)).toBe(true); // .ci/run installs Debian's chromium
    cluster = await TestCluster.start({
      brokers: 2,
      brokerEnv: {
        AUTH: 'scram,token',
        TOKEN_SECRET,
        SUPER_USERS: `User:${ADMIN.user}`,
        METADATA_REFRESH_MS: '1000',
        // not loopback by default: the page served by one broker reaches the other because it is a broker of the cluster
        ALLOWED_ORIGINS: 'https://console.example',
      },
    });
    // the first super user cannot log in to create itself: the CLI writes it to Redis
    const boot = spawnSync(process.execPath, [CLI, 'users', 'create', ADMIN.user, '--redis', cluster.redis.url, '--cluster-id', cluster.keys.cluster], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, TRIBUTARY_NEW_PASSWORD: ADMIN.password },
    });
    expect(boot.status).toBe(0);
    client = new Tributary({ brokers: cluster.brokers.map((b) => b.url), logLevel: LogLevel.NOTHING, auth });
    const admin = client.admin();
    await admin.createTopics({
      topics: [
        { topic: TOPIC, numPartitions: 3, replicationFactor: 2 },
        { topic: LAGGING, numPartitions: 1, replicationFactor: 2 },
      ],
    });
    const producer = client.producer();
    await producer.send({ topic: TOPIC, messages: [0, 1, 2].map((p) => ({ partition: p, key: `k${p}`, value: `first record of partition ${p}` })) });
    await producer.send({ topic: LAGGING, messages: Array.from({ length: 8 }, (_, i) => ({ value: `job ${i}` })) });
    await producer.disconnect();
    // a live member that committed offset 3 of 8: lag 5, with a member and its assignment to show
    const member: Consumer = client.consumer({ groupId: GROUP, autoCommit: false, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 });
    await member.subscribe({ topic: LAGGING, fromBeginning: true });
    let committed = false;
    await member.run({
      eachMessage: async ({ message }) => {
        if (message.offset === 2) {
          await member.commitOffsets([{ topic: LAGGING, partition: 0, offset: 3 }]);
          committed = true;
        }
      },
    });
    await waitFor('the member commits offset 3', () => committed);

    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-console-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await context?.close();
    await client?.disconnect(); // the member, admins and producers it made
    await cluster?.stop();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('serves only the console files; anything else under /console is 404', async () => {
    const base = `http://127.0.0.1:${cluster.brokers[1].options.port}`;
    const index = await fetch(`${base}/console`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(await index.text()).toContain('/console/console.js');
    const script = await fetch(`${base}/console/console.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    // the page reads log sizes from every broker's /metrics, across origins
    expect((await fetch(`${base}/metrics`)).headers.get('access-control-allow-origin')).toBe('*');
    for (const p of ['/console/package.json', '/console/..%2F..%2Fpackage.json', '/console/index.ts']) expect((await fetch(base + p)).status).toBe(404);
  });

  it('asks for a login on a cluster with AUTH on, then shows brokers, the topic with its partitions, and sizes', async () => {
    const started = Date.now();
    await page.goto(`http://127.0.0.1:${cluster.brokers[0].options.port}/console`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#error').textContent()).toContain('requires a login');
    await page.fill('#login-username', ADMIN.user);
    await page.fill('#login-password', 'wrong password');
    await page.click('#login-form button[type=submit]');
    await page.locator('#error', { hasText: 'login refused' }).waitFor();
    await page.fill('#login-password', ADMIN.password);
    await page.click('#login-form button[type=submit]');
    const rows = page.locator(`section[data-topic="${TOPIC}"] tbody tr`);
    await rows.nth(2).waitFor();
    console.log(`console: login and first render took ${Date.now() - started} ms`);
    expect(await rows.count()).toBe(3);
    expect(await page.locator('#session-user').textContent()).toBe(`signed in as ${ADMIN.user}`);

    const metadata = (await client.admin().fetchTopicMetadata({ topics: [TOPIC] })).topics[0];
    for (const p of metadata.partitions) {
      const cells = await rows.nth(p.partition).locator('td').allTextContents();
      // partition, leader, epoch, replicas, ISR, low, high, size
      expect(cells.slice(0, 7)).toEqual([String(p.partition), String(p.leader), String(p.leaderEpoch), p.replicas.join(', '), p.isr.join(', '), '0', '1']);
      // read from the leader's /metrics (for a partition the other broker leads, a cross-origin fetch)
      expect(cells[7]).toMatch(/^\d+(\.\d)? (B|KiB)$/);
    }
    const brokers = await page.locator('[data-testid=brokers-table] tbody tr').allTextContents();
    expect(brokers).toHaveLength(2);
    expect(brokers.filter((b) => b.includes('controller'))).toHaveLength(1);
    await shot('console-topics.png');
  });

  it('shows a record produced by another client in the live tail within a second or two', async () => {
    await page.selectOption('#tail-topic', TOPIC);
    await page.fill('#tail-partition', '1');
    await page.click('#tail-form button[type=submit]');
    await page.locator('#tail-status', { hasText: 'tailing' }).waitFor();
    await page.locator('#tail-records li', { hasText: 'first record of partition 1' }).waitFor();

    const value = `live record ${Date.now()}`;
    const producer = client.producer();
    const sent = Date.now();
    await producer.send({ topic: TOPIC, messages: [{ partition: 1, key: 'tail', value }] });
    const acked = Date.now() - sent;
    await page.locator('#tail-records li', { hasText: value }).waitFor({ timeout: 10_000 });
    const shown = Date.now() - sent;
    console.log(`console: live tail showed the record ${shown} ms after send (acked after ${acked} ms)`);
    expect(shown).toBeLessThan(TAIL_BOUND_MS);
    expect(await page.locator('#tail-records li').first().getAttribute('data-offset')).toBe('1');
    await producer.disconnect();
  });

  it("shows a group's members, assignment and lag", async () => {
    const group = page.locator(`section[data-group="${GROUP}"]`);
    await group.locator('[data-testid=group-lag]', { hasText: 'lag 5' }).waitFor({ timeout: 15_000 });
    const lagRow = await group.locator(`tr[data-lag="${LAGGING}/0"] td`).allTextContents();
    expect(lagRow).toEqual([LAGGING, '0', '3', '8', '5']);
    expect(await group.locator('tbody').first().textContent()).toContain(`${LAGGING}[0]`);
    await shot('console-groups.png');
  });

  it('produces a record from the form', async () => {
    const before = (await client.admin().fetchTopicOffsets(TOPIC)).find((o) => o.partition === 2)?.high;
    await page.fill('#produce-topic', TOPIC);
    await page.fill('#produce-partition', '2');
    await page.fill('#produce-key', 'from-the-page');
    await page.fill('#produce-value', 'hello from the console');
    await page.click('#produce-form button[type=submit]');
    await page.locator('#produce-result', { hasText: `written to ${TOPIC}/2 at offset ${before}` }).waitFor();
    const after = (await client.admin().fetchTopicOffsets(TOPIC)).find((o) => o.partition === 2)?.high;
    expect(after).toBe(Number(before) + 1);
    // and the page's table catches up on its next refresh
    await page.locator(`section[data-topic="${TOPIC}"] tr[data-partition="2"] td:nth-child(7)`, { hasText: String(after) }).waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await shot('console.png');
    // logging out drops the connection and asks again
    await page.click('#logout');
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#app').isHidden()).toBe(true);
    // and a bearer token (what a browser app's backend hands out) logs in through the same form
    await page.selectOption('#login-mechanism', 'token');
    expect(await page.locator('#login-username-row').isHidden()).toBe(true);
    await page.fill('#login-password', token(ADMIN.user));
    await page.click('#login-form button[type=submit]');
    await page.locator(`section[data-topic="${TOPIC}"] tbody tr`).nth(2).waitFor();
    expect(await page.locator('#session-user').textContent()).toBe('signed in as token holder');
    expect(pageErrors).toEqual([]);
  });

  it('on an open cluster (AUTH off) shows the console without a login', async () => {
    const open = await TestCluster.start({ brokers: 1 });
    try {
      await page.goto(`http://127.0.0.1:${open.brokers[0].options.port}/console`);
      await page.locator('[data-testid=brokers-table] tbody tr').first().waitFor();
      expect(await page.locator('#login').isHidden()).toBe(true);
      expect(await page.locator('#session').isHidden()).toBe(true);
      expect(await page.locator('#topics').textContent()).toContain('no topics');
      expect(pageErrors).toEqual([]);
      // leave the page before the cluster goes, so it logs no connection errors into the test
      await page.goto('about:blank');
    } finally {
      await open.stop();
    }
  });
});
