import { execFileSync } from 'child_process';
import * as os from 'os';
import type { MachineInfo } from './results';

function versionOf(binary: string | undefined, args: string[]): string | null {
  if (!binary) return null;
  try {
    return execFileSync(binary, args, { encoding: 'utf8', timeout: 5000 }).trim().split('\n')[0];
  } catch {
    return null;
  }
}

/** The machine the numbers came from, so readers can tell whether they apply to theirs. */
export function describeMachine(natsBinary: string | undefined): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    redisServer: versionOf('redis-server', ['--version']) ?? 'unknown',
    natsServer: versionOf(natsBinary, ['--version']),
  };
}
