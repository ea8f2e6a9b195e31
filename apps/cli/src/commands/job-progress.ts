import { Presets, SingleBar } from 'cli-progress';
import type { Admin, JobInfo } from '@tributary/client';

/**
 * Waits for an admin job (`--wait` on a job-creating command), showing its progress: a bar
 * over its steps on a terminal, one line per step otherwise (CI, scripts). Resolves with the
 * completed job; a failed job rejects with JobFailedError (its error), so the CLI exits non-zero.
 */
export async function waitWithProgress(admin: Admin, jobId: string, out: NodeJS.WriteStream = process.stderr): Promise<JobInfo> {
  const bar = out.isTTY
    ? new SingleBar({ format: '{bar} {value}/{total} steps | {step} {message}', hideCursor: true, clearOnComplete: false, stream: out }, Presets.shades_classic)
    : null;
  let started = false;
  let lastLine = '';
  const show = (job: JobInfo): void => {
    const p = job.progress;
    const total = p?.total ?? 1;
    const payload = { step: p?.step ?? job.state, message: p?.message ? `(${p.message})` : '' };
    if (bar) {
      if (!started) bar.start(total, 0, payload);
      started = true;
      bar.setTotal(total);
      bar.update(p?.done ?? 0, payload);
      return;
    }
    const line = `job ${job.id}: ${job.state}${p ? ` step ${Math.min(p.done + 1, p.total)}/${p.total} ${p.step}${p.message ? ` (${p.message})` : ''}` : ''}`;
    if (line !== lastLine) out.write(`${line}\n`);
    lastLine = line;
  };
  try {
    return await admin.waitForJob(jobId, { onProgress: show });
  } finally {
    bar?.stop();
  }
}

/** One job as `jobs describe` and `--wait` print it. */
export function describeJobLines(job: JobInfo): string[] {
  const time = (ms?: number) => (ms === undefined ? '-' : new Date(ms).toISOString());
  const p = job.progress;
  return [
    `job: ${job.id}`,
    `type: ${job.type}`,
    `state: ${job.state}`,
    `args: ${JSON.stringify(job.args)}`,
    `progress: ${p ? `${p.done}/${p.total} steps, ${p.step}${p.message ? ` (${p.message})` : ''}` : '-'}`,
    `attempts: ${job.attemptsMade}/${job.maxAttempts}`,
    ...(job.error ? [`error: ${job.error}`] : []),
    `created: ${time(job.createdAt)}  started: ${time(job.startedAt)}  finished: ${time(job.finishedAt)}`,
  ];
}
