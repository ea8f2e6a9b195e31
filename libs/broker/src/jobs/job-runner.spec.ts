import { randomUUID } from 'crypto';
import Redis from 'ioredis';
import { Coordination, type JobRecord } from '@tributary/coordination';
import { ErrorCode } from '@tributary/protocol';
import type { JobDefinition } from './job-definition';
import { JobRunner, type JobRunnerOptions } from './job-runner';

/**
 * The runner's step, retry and resume logic against a real Redis (REDIS_URL, default
 * 127.0.0.1:6379), each run under a cluster prefix of its own. Two runners over two
 * connections stand for two brokers: the "controller" one is stopped without waiting (as a
 * kill leaves it: the lock is no longer renewed), and the other must finish its job.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = `jobs-spec-${process.pid}-${randomUUID().slice(0, 8)}`;
/** each test its own queue (cluster prefix), so one test's worker never takes another's job */
let cluster = run;
beforeEach(() => {
  cluster = `${run}-${expect.getState().currentTestName?.length ?? 0}-${opened.length}`;
});
const opened: Coordination[] = [];
const runners: JobRunner[] = [];

function runner(options: Partial<JobRunnerOptions> = {}): JobRunner {
  const coordination = Coordination.connect({ redisUrl: REDIS_URL, cluster });
  opened.push(coordination);
  const r = new JobRunner(coordination.jobs, {
    brokerId: opened.length,
    attempts: 3,
    backoffMs: 50,
    lockDurationMs: 1000,
    stepDelayMs: 0,
    log: () => undefined,
    ...options,
  });
  runners.push(r);
  return r;
}

async function waitForJob(r: JobRunner, id: string, done: (j: JobRecord) => boolean, timeoutMs = 20_000): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await r.describe(id);
    if (job && done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const finished = (j: JobRecord) => j.state === 'completed' || j.state === 'failed';

afterAll(async () => {
  await Promise.all(runners.map((r) => r.setActive(false)));
  await Promise.all(opened.map((c) => c.close()));
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`tributary:{${run}-*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('JobRunner', () => {
  it('runs the steps in order, reporting progress, and describes the finished job', async () => {
    const r = runner();
    const ran: string[] = [];
    const seen: Array<{ step: string; done: number }> = [];
    const def: JobDefinition<{ n: number }> = {
      type: 'ordered',
      parseArgs: (raw) => raw as { n: number },
      steps: ['a', 'b', 'c'].map((name) => ({
        name,
        run: async (args, ctx) => {
          ran.push(`${name}${args.n}`);
          await ctx.report(`in ${name}`);
          const now = await r.describe(ctx.jobId);
          if (now?.progress) seen.push({ step: now.progress.step, done: now.progress.done });
        },
      })),
    };
    r.register(def);
    await r.setActive(true);
    const id = await r.submit('ordered', { n: 7 });
    const job = await waitForJob(r, id, finished);
    expect(job).toMatchObject({ state: 'completed', type: 'ordered', args: { n: 7 }, progress: { step: 'c', done: 3, total: 3 } });
    expect(job.startedAt).toBeGreaterThanOrEqual(job.createdAt);
    expect(job.finishedAt).toBeGreaterThanOrEqual(job.startedAt ?? 0);
    expect(ran).toEqual(['a7', 'b7', 'c7']);
    expect(seen).toEqual([
      { step: 'a', done: 0 },
      { step: 'b', done: 1 },
      { step: 'c', done: 2 },
    ]);
    expect((await r.list()).map((j) => j.id)).toContain(id);
    await r.setActive(false);
  });

  it('refuses an unknown job type and bad arguments before queueing, and a job id submitted twice is one job', async () => {
    const r = runner();
    r.register<{ topic: string }>({
      type: 'checked',
      parseArgs: (raw) => {
        if (typeof raw !== 'object' || raw === null || typeof (raw as { topic?: unknown }).topic !== 'string') throw new Error('topic must be a string');
        return raw as { topic: string };
      },
      steps: [],
    });
    await expect(r.submit('nope', {})).rejects.toMatchObject({ code: ErrorCode.INVALID_REQUEST });
    await expect(r.submit('checked', { topic: 1 })).rejects.toThrow('topic must be a string');
    const a = await r.submit('checked', { topic: 't' }, 'checked-t');
    const b = await r.submit('checked', { topic: 't' }, 'checked-t');
    expect(a).toBe('checked-t');
    expect(b).toBe(a);
    expect((await r.list()).filter((j) => j.id === a)).toHaveLength(1);
  });

  it('retries a failing step with backoff, resuming after the steps already done', async () => {
    const r = runner();
    let firstRuns = 0;
    let flakyRuns = 0;
    r.register({
      type: 'flaky',
      parseArgs: (raw) => raw,
      steps: [
        { name: 'first', run: async () => void firstRuns++ },
        {
          name: 'flaky',
          run: async () => {
            if (++flakyRuns < 3) throw new Error(`flaky failure ${flakyRuns}`);
          },
        },
      ],
    });
    await r.setActive(true);
    const id = await r.submit('flaky', {});
    const job = await waitForJob(r, id, finished);
    expect(job.state).toBe('completed');
    // BullMQ counts every attempt that ended, the successful one too
    expect(job.attemptsMade).toBe(3);
    expect(flakyRuns).toBe(3);
    expect(firstRuns).toBe(1);
    await r.setActive(false);
  });

  it('fails a job for good after its attempts, with the last error', async () => {
    const r = runner({ attempts: 2 });
    r.register({ type: 'doomed', parseArgs: (raw) => raw, steps: [{ name: 'boom', run: async () => Promise.reject(new Error('disk on fire')) }] });
    await r.setActive(true);
    const id = await r.submit('doomed', {});
    const job = await waitForJob(r, id, finished);
    expect(job).toMatchObject({ state: 'failed', error: 'disk on fire', attemptsMade: 2, maxAttempts: 2 });
    await r.setActive(false);
  });

  it('submitting the id of a job that failed for good runs it again, from the step that failed', async () => {
    const r = runner({ attempts: 1 });
    const runs: string[] = [];
    let healthy = false;
    r.register({
      type: 'recoverable',
      parseArgs: (raw) => raw,
      steps: [
        { name: 'first', run: async () => void runs.push('first') },
        {
          name: 'second',
          run: async () => {
            runs.push(`second:${healthy ? 'ok' : 'broken'}`);
            if (!healthy) throw new Error('not yet');
          },
        },
      ],
    });
    await r.setActive(true);
    const id = await r.submit('recoverable', {}, 'recoverable-1');
    expect(await waitForJob(r, id, finished)).toMatchObject({ state: 'failed', error: 'not yet' });
    healthy = true;
    expect(await r.submit('recoverable', {}, 'recoverable-1')).toBe(id);
    expect(await waitForJob(r, id, finished)).toMatchObject({ state: 'completed' });
    expect(runs).toEqual(['first', 'second:broken', 'second:ok']);
    await r.setActive(false);
  });

  it('a job whose controller stops mid-step is resumed by the next one, from the step that was running', async () => {
    const dying = runner();
    const successor = runner();
    const runs: string[] = [];
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((res) => (release = res));
    const stepsFor = (who: string): JobDefinition<unknown> => ({
      type: 'resumable',
      parseArgs: (raw) => raw,
      steps: [
        { name: 'one', run: async () => void runs.push(`${who}:one`) },
        {
          name: 'two',
          run: async (_args, ctx) => {
            runs.push(`${who}:two`);
            // the dying controller never finishes this step: it is stopped inside it
            if (who === 'dying') await Promise.race([blocked, new Promise((res) => ctx.signal.addEventListener('abort', res))]);
          },
        },
        { name: 'three', run: async () => void runs.push(`${who}:three`) },
      ],
    });
    dying.register(stepsFor('dying'));
    successor.register(stepsFor('successor'));
    await dying.setActive(true);
    const id = await dying.submit('resumable', {});
    await waitForJob(dying, id, (j) => j.state === 'active' && j.progress?.step === 'two');
    const stoppedAt = Date.now();
    await dying.setActive(false);
    release();
    await successor.setActive(true);
    const job = await waitForJob(successor, id, finished);
    console.log(`resumed and finished ${Date.now() - stoppedAt} ms after the first controller stopped (lock 1000 ms)`);
    expect(job.state).toBe('completed');
    expect(runs).toEqual(['dying:one', 'dying:two', 'successor:two', 'successor:three']);
    await successor.setActive(false);
  });
});
