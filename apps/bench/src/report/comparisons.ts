import { sizeLabel } from '../options';
import type { ResultRow } from '../results';

export interface PeerRatio {
  scenario: string;
  recordSize: number;
  tributary: ResultRow;
  peer: ResultRow;
  /** Tributary records/s ÷ peer records/s */
  ratio: number;
}

const measured = (r: ResultRow): boolean => r.status === 'ok' && (r.recordsPerSec ?? 0) > 0;

/** Tributary ÷ each peer, within one scenario and record size (same machine, same count). */
export function peerRatios(rows: ResultRow[]): PeerRatio[] {
  const out: PeerRatio[] = [];
  for (const t of rows.filter((r) => r.system === 'Tributary' && measured(r) && r.recordSize !== null && r.targetRate === undefined)) {
    for (const p of rows.filter((r) => r.system !== 'Tributary' && measured(r) && r.scenario === t.scenario && r.recordSize === t.recordSize)) {
      out.push({ scenario: t.scenario, recordSize: t.recordSize ?? 0, tributary: t, peer: p, ratio: (t.recordsPerSec ?? 0) / (p.recordsPerSec ?? 1) });
    }
  }
  return out;
}

export type TargetStatus = 'met' | 'not met' | 'not measured';

export interface TargetCheck {
  target: string;
  recordSize: number | null;
  goal: string;
  measured: string;
  status: TargetStatus;
  note?: string;
}

function ratioTarget(
  rows: ResultRow[],
  target: string,
  goal: number,
  pick: { scenario: string; tributary: (r: ResultRow) => boolean; peer: (r: ResultRow) => boolean },
  sizes: number[],
): TargetCheck[] {
  return sizes.map((size): TargetCheck => {
    const t = rows.find((r) => r.scenario === pick.scenario && r.system === 'Tributary' && r.recordSize === size && pick.tributary(r));
    const p = rows.find((r) => r.scenario === pick.scenario && r.system !== 'Tributary' && r.recordSize === size && pick.peer(r));
    const base = { target, recordSize: size, goal: `≥ ${goal}×` };
    if (!t || !measured(t)) return { ...base, measured: '—', status: 'not measured', note: t?.note ?? 'scenario not run' };
    if (!p || !measured(p)) return { ...base, measured: '—', status: 'not measured', note: p?.note ?? 'peer not run' };
    const ratio = (t.recordsPerSec ?? 0) / (p.recordsPerSec ?? 1);
    return {
      ...base,
      measured: `${ratio.toFixed(2)}× (${fmt(t.recordsPerSec)} vs ${fmt(p.recordsPerSec)} records/s)`,
      status: ratio >= goal ? 'met' : 'not met',
    };
  });
}

const fmt = (n: number | undefined): string => Math.round(n ?? 0).toLocaleString('en-US');

/** Issue 5's targets, each against this run's numbers; reported, never asserted. */
export function targetChecks(rows: ResultRow[], sizes: number[]): TargetCheck[] {
  const checks: TargetCheck[] = [
    ...ratioTarget(
      rows,
      'RF=3 acks=all produce vs NATS JetStream R3, 100 records packed/message',
      1.2,
      {
        scenario: 'produce-rf3',
        tributary: () => true,
        peer: (r) => r.system === 'NATS JetStream' && r.variant.includes('packed'),
      },
      sizes,
    ),
    ...ratioTarget(
      rows,
      'RF=3 acks=all produce vs NATS JetStream R3, 1 record/message',
      8,
      {
        scenario: 'produce-rf3',
        tributary: () => true,
        peer: (r) => r.system === 'NATS JetStream' && r.variant.includes('1 record/message'),
      },
      sizes,
    ),
    ...ratioTarget(
      rows,
      'RF=1 acks=1 produce vs Redis Streams XADD pipelined',
      3,
      {
        scenario: 'produce',
        tributary: () => true,
        peer: (r) => r.system === 'Redis Streams',
      },
      sizes,
    ),
    ...ratioTarget(
      rows,
      'Consume (1 consumer) vs Redis Streams XREAD',
      1.5,
      {
        scenario: 'consume',
        tributary: (r) => r.variant.startsWith('1 consumer'),
        peer: (r) => r.system === 'Redis Streams' && r.variant.startsWith('XREAD '),
      },
      sizes,
    ),
  ];
  for (const size of sizes) {
    const row = rows.find((r) => r.scenario === 'latency' && r.recordSize === size && r.targetRate === 10_000);
    const base = { target: 'End-to-end p99 at 10k records/s, RF=3 acks=all', recordSize: size, goal: '< 10 ms' };
    if (!row?.latency) {
      checks.push({ ...base, measured: '—', status: 'not measured', note: row?.note ?? 'scenario not run' });
      continue;
    }
    const standIn = !row.guarantee.startsWith('RF=3');
    checks.push({
      ...base,
      measured: `${row.latency.p99} ms${standIn ? ' (RF=1 acks=1 stand-in)' : ''}`,
      status: standIn || row.status !== 'ok' ? 'not measured' : row.latency.p99 < 10 ? 'met' : 'not met',
      note: standIn ? 'replication not available in this build; the number is RF=1 acks=1' : row.status !== 'ok' ? row.note : undefined,
    });
  }
  const failover = rows.find((r) => r.scenario === 'failover');
  const seconds = failover?.metrics?.failoverSeconds;
  checks.push({
    target: 'Failover: SIGKILL of a leader → first acks=all write',
    recordSize: null,
    goal: '< 3 s',
    measured: seconds === undefined ? '—' : `${seconds} s`,
    status: seconds === undefined ? 'not measured' : seconds < 3 ? 'met' : 'not met',
    note: seconds === undefined ? (failover?.note ?? 'scenario not run') : undefined,
  });
  return checks;
}

export function sizeOrDash(size: number | null): string {
  return size === null ? '—' : sizeLabel(size);
}
