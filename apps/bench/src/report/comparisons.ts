import { sizeLabel } from '../options';
import type { ResultRow } from '../results';
import { IDEMPOTENCE_OFF } from '../scenarios/produce-rf3';

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
        tributary: idempotentRow,
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
        tributary: idempotentRow,
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
  checks.push(...sizes.map((size) => idempotenceCost(rows, size)));
  for (const size of sizes) {
    const row = rows.find((r) => r.scenario === 'latency' && r.system === 'Tributary' && r.recordSize === size && r.targetRate === 10_000);
    const nats = rows.find((r) => r.scenario === 'latency' && r.system === 'NATS JetStream' && r.recordSize === size && r.targetRate === 10_000);
    const beside = nats?.latency
      ? `; NATS JetStream R3 in this run: p50 ${nats.latency.p50} ms, p99 ${nats.latency.p99} ms${nats.status === 'ok' ? '' : ' (rate not reached)'}`
      : '';
    const base = { target: 'End-to-end p99 at 10k records/s, RF=3 acks=all', recordSize: size, goal: '< 10 ms' };
    if (!row?.latency) {
      checks.push({ ...base, measured: '—', status: 'not measured', note: row?.note ?? 'scenario not run' });
      continue;
    }
    const standIn = !row.guarantee.startsWith('RF=3');
    checks.push({
      ...base,
      measured: `${row.latency.p99} ms${standIn ? ' (RF=1 acks=1 stand-in)' : ''}${beside}`,
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

const idempotentRow = (r: ResultRow): boolean => !r.variant.includes(IDEMPOTENCE_OFF);

/** What idempotence costs: 1 − on ÷ off, both RF=3 acks=all rows of the same run and size. */
function idempotenceCost(rows: ResultRow[], size: number): TargetCheck {
  const pick = (on: boolean) => rows.find((r) => r.scenario === 'produce-rf3' && r.system === 'Tributary' && r.recordSize === size && idempotentRow(r) === on);
  const on = pick(true);
  const off = pick(false);
  const base = { target: 'Idempotence on vs off, RF=3 acks=all produce (throughput cost)', recordSize: size, goal: '< 5%' };
  if (!on || !measured(on) || !off || !measured(off))
    return { ...base, measured: '—', status: 'not measured', note: (on?.note ?? off?.note) || 'scenario not run' };
  const cost = 1 - (on.recordsPerSec ?? 0) / (off.recordsPerSec ?? 1);
  return {
    ...base,
    measured: `${(cost * 100).toFixed(1)}%${cost < 0 ? ' (on was faster)' : ''}: ${fmt(on.recordsPerSec)} on vs ${fmt(off.recordsPerSec)} off records/s${cpuBeside(on, off)}`,
    status: cost < 0.05 ? 'met' : 'not met',
  };
}

/** Broker CPU per record of both rows, which the machine's other load moves less than records/s. */
function cpuBeside(on: ResultRow, off: ResultRow): string {
  const a = on.metrics?.brokerCpuUsPerRecord;
  const b = off.metrics?.brokerCpuUsPerRecord;
  return a === undefined || b === undefined ? '' : `; broker CPU ${a} vs ${b} µs/record`;
}

export function sizeOrDash(size: number | null): string {
  return size === null ? '—' : sizeLabel(size);
}
