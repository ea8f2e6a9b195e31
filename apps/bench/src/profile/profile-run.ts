import * as fs from 'fs';
import * as path from 'path';
import type { AcksOption } from '@tributary/client';
import type { BenchEnvironment } from '../environment';
import { recordValue } from '../measure';
import { RUN_TIME_CAP_MS } from '../options';
import type { Progress } from '../progress';
import type { ProfileSummary } from '../results';
import { createReplicatedTopic, createTopic } from '../tributary/replication';
import { THROUGHPUT_PRODUCER } from '../tributary/settings';
import { consumeFromStart, produceRecords } from '../tributary/workloads';
import { parseCpuProfile } from './cpuprofile';
import { summarizeProfile, type ProfileWindow } from './summarize';

const PROFILED_BROKER = 1;
const PARTITIONS = 6;

export interface ProfiledWorkload {
  id: 'rf1' | 'rf3';
  /** what the report says ran while the profile was recorded */
  description: string;
  acks: AcksOption;
  replicated: boolean;
  /** read everything back after producing, so fetch shows up in the profile too */
  consume: boolean;
}

export const PROFILED_WORKLOADS: ProfiledWorkload[] = [
  {
    id: 'rf1',
    description: 'scenario 1: produce RF=1 acks=1 (6 partitions, 3 brokers), then one consumer reads it all back',
    acks: 1,
    replicated: false,
    consume: true,
  },
  {
    id: 'rf3',
    description: 'scenario 2: produce RF=3 acks=all, min.insync=2 (broker 1 leads 2 partitions and follows 4)',
    acks: 'all',
    replicated: true,
    consume: false,
  },
];

/**
 * Runs a scenario's workload against a fresh 3-broker cluster whose broker 1 runs under
 * `node --cpu-prof`; the profile is written when the broker exits on SIGTERM, then
 * summarised by layer over the workload's time only. Returns null when the workload needs
 * replication and this build has none.
 */
export async function profileBroker(
  env: BenchEnvironment,
  progress: Progress,
  workload: ProfiledWorkload,
  size: number,
  records: number,
  keepIn: string,
): Promise<ProfileSummary | null> {
  const dir = env.dir(`cpu-profile-${workload.id}`);
  progress.begin(`profile ${workload.id}: broker ${PROFILED_BROKER} under --cpu-prof, ${records} records of ${size} B`);
  try {
    const cluster = await env.startCluster(`profile-${workload.id}`, {
      nodeArgs: (id) => (id === PROFILED_BROKER ? ['--cpu-prof', '--cpu-prof-dir', dir] : []),
    });
    const client = cluster.client();
    const admin = client.admin();
    const startedAt = cluster.broker(PROFILED_BROKER).process.startedAt;
    let window: ProfileWindow | undefined;
    try {
      const topic = `profile-${workload.id}-${size}`;
      if (!workload.replicated) await createTopic(admin, topic, PARTITIONS);
      else if (!(await createReplicatedTopic(admin, topic, PARTITIONS)).available) return null;
      const share = workload.consume ? 0.5 : 1;
      const workloadFrom = Date.now();
      const producer = client.producer({ acks: workload.acks, ...THROUGHPUT_PRODUCER });
      try {
        await produceRecords(producer, {
          topic,
          value: recordValue(size),
          total: records,
          timeCapMs: RUN_TIME_CAP_MS,
          onProgress: (d) => progress.update((share * d) / records),
        });
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
      if (workload.consume) {
        await consumeFromStart(client, {
          topic,
          partitions: PARTITIONS,
          total: records,
          timeCapMs: RUN_TIME_CAP_MS,
          onProgress: (d) => progress.update(share + (share * d) / records),
        });
      }
      // the profile's clock starts with the process: keep only the workload, not start-up or shutdown
      window = { fromUs: (workloadFrom - startedAt) * 1000, toUs: (Date.now() - startedAt) * 1000 };
    } finally {
      await admin.disconnect().catch(() => undefined);
      await cluster.stop();
    }
    const file = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(dir, f))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
    if (!file) throw new Error(`broker ${PROFILED_BROKER} wrote no .cpuprofile into ${dir}`);
    // kept beside the JSON results (the temp dir goes away), to open in Chrome DevTools
    fs.mkdirSync(keepIn, { recursive: true });
    const kept = path.join(keepIn, `broker-${PROFILED_BROKER}-${workload.id}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    fs.copyFileSync(file, kept);
    return summarizeProfile(parseCpuProfile(fs.readFileSync(file, 'utf8')), { scenario: workload.description, brokerId: PROFILED_BROKER, file: kept }, window);
  } finally {
    progress.end();
  }
}
