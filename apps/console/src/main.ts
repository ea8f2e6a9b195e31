import type { ClientAuth, Tributary } from '@tributary/client';
import { byId } from './dom';
import { LiveTail } from './live-tail';
import { render } from './render';
import { describeError, needsLogin, openClient, pageBroker } from './session';
import { readSnapshot } from './snapshot';

const REFRESH_MS = 2000;

let client: Tributary | null = null;
let tail: LiveTail | null = null;
let clientAdmin: ReturnType<Tributary['admin']> | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;

function showError(text: string): void {
  const banner = byId('error');
  banner.textContent = text;
  banner.hidden = text === '';
}

/** Connects (with credentials when given) and proves it with one read; on success the console shows. */
async function connect(auth: ClientAuth | undefined): Promise<void> {
  const candidate = openClient(auth);
  const admin = candidate.admin();
  try {
    await admin.connect();
    render(await readSnapshot(admin), pageBroker());
  } catch (err) {
    await candidate.disconnect().catch(() => undefined); // the failure being reported matters more
    if (needsLogin(err)) {
      byId('login').hidden = false;
      byId('app').hidden = true;
      showError(auth ? `login refused: ${describeError(err)}` : 'this cluster requires a login');
      return;
    }
    throw err;
  }
  client = candidate;
  clientAdmin = admin;
  tail = new LiveTail(candidate, admin, byId('tail-records'), byId('tail-status'));
  byId('login').hidden = true;
  byId('app').hidden = false;
  // anonymous on an open cluster: no session to show or end
  byId('session').hidden = !auth;
  byId('session-user').textContent = auth ? `signed in as ${auth.mechanism === 'token' ? 'token holder' : auth.username}` : '';
  showError('');
  scheduleRefresh(admin);
}

function scheduleRefresh(admin: ReturnType<Tributary['admin']>): void {
  refreshTimer = setTimeout(() => {
    if (clientAdmin !== admin) return; // logged out meanwhile
    void readSnapshot(admin)
      .then((s) => {
        if (clientAdmin !== admin) return;
        render(s, pageBroker());
        showError('');
      })
      .catch((err: unknown) => showError(`refresh failed: ${describeError(err)}`))
      .finally(() => scheduleRefresh(admin));
  }, REFRESH_MS);
}

function loginAuth(): ClientAuth {
  const mechanism = byId<HTMLSelectElement>('login-mechanism').value;
  const secret = byId<HTMLInputElement>('login-password').value;
  if (mechanism === 'token') return { mechanism: 'token', token: secret };
  const username = byId<HTMLInputElement>('login-username').value;
  return { mechanism: mechanism === 'scram-sha-512' ? 'scram-sha-512' : 'scram-sha-256', username, password: secret };
}

function wireForms(): void {
  byId<HTMLFormElement>('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void connect(loginAuth()).catch((err: unknown) => showError(describeError(err)));
  });
  byId<HTMLSelectElement>('login-mechanism').addEventListener('change', (e) => {
    byId('login-username-row').hidden = (e.target as HTMLSelectElement).value === 'token';
  });
  byId<HTMLFormElement>('tail-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const topic = byId<HTMLSelectElement>('tail-topic').value;
    const partition = Number(byId<HTMLInputElement>('tail-partition').value);
    void tail?.start(topic, partition).catch((err: unknown) => showError(`tail: ${describeError(err)}`));
  });
  byId('tail-stop').addEventListener('click', () => void tail?.stop());
  byId('logout').addEventListener('click', () => void logout());
  byId<HTMLFormElement>('produce-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void produce().catch((err: unknown) => (byId('produce-result').textContent = `failed: ${describeError(err)}`));
  });
}

/** Drops the connection and its credentials (they live only in this page's memory) and asks again. */
async function logout(): Promise<void> {
  if (refreshTimer) clearTimeout(refreshTimer);
  const closing = client;
  client = null;
  clientAdmin = null;
  tail = null;
  await closing?.disconnect().catch(() => undefined); // nothing left to report to
  byId<HTMLInputElement>('login-password').value = '';
  byId('session').hidden = true;
  byId('app').hidden = true;
  byId('login').hidden = false;
}

async function produce(): Promise<void> {
  if (!client) return;
  const topic = byId<HTMLInputElement>('produce-topic').value.trim();
  const partitionText = byId<HTMLInputElement>('produce-partition').value.trim();
  const key = byId<HTMLInputElement>('produce-key').value;
  const value = byId<HTMLTextAreaElement>('produce-value').value;
  const producer = client.producer();
  try {
    await producer.connect();
    const [meta] = await producer.send({
      topic,
      messages: [{ key: key === '' ? null : key, value, partition: partitionText === '' ? undefined : Number(partitionText) }],
    });
    byId('produce-result').textContent = `written to ${topic}/${meta.partition} at offset ${meta.baseOffset}`;
  } finally {
    await producer.disconnect();
  }
}

window.addEventListener('beforeunload', () => {
  if (refreshTimer) clearTimeout(refreshTimer);
  void client?.disconnect(); // the admin, the tail's consumer, any producer
});

wireForms();
void connect(undefined).catch((err: unknown) => showError(`cannot reach the cluster: ${describeError(err)}`));
