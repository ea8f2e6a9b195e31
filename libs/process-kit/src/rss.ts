import { promises as fs } from 'fs';

/** Resident set size of a process in KiB, from /proc (Linux); undefined where /proc is absent. */
export async function residentKiB(pid: number): Promise<number | undefined> {
  try {
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
