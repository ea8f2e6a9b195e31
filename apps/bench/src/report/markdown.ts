import * as path from 'path';
import { describeCandidate } from '../scenarios/producer-tuning';
import { SCENARIOS } from '../scenarios';
import { sizeLabel, type ScenarioId } from '../options';
import type { BenchReport, ProfileSummary, ResultRow } from '../results';
import { peerRatios, sizeOrDash, targetChecks } from './comparisons';
import { dec, int, markdownTable, metricsText, statusText } from './format';

function throughputTable(rows: ResultRow[]): string {
  return markdownTable(
    ['System', 'Variant', 'Guarantee', 'Size', 'Records', 'Time (s)', 'Records/s', 'MB/s', 'Broker CPU (µs/record)', 'Note'],
    rows.map((r) => [
      r.system,
      r.variant,
      r.guarantee,
      sizeOrDash(r.recordSize),
      int(r.records),
      dec(r.seconds, 2),
      int(r.recordsPerSec),
      dec(r.mbPerSec),
      dec(r.metrics?.brokerCpuUsPerRecord, 2),
      statusText(r),
    ]),
  );
}

function latencyTable(rows: ResultRow[]): string {
  return markdownTable(
    [
      'System',
      'Size',
      'Offered (records/s)',
      'Delivered (records/s)',
      'p50 (ms)',
      'p99 (ms)',
      'p99.9 (ms)',
      'max (ms)',
      'Samples',
      'send→ack p50/p99 (ms)',
      'Guarantee',
      'Note',
    ],
    rows.map((r) => [
      r.system,
      sizeOrDash(r.recordSize),
      int(r.targetRate),
      int(r.recordsPerSec),
      dec(r.latency?.p50, 2),
      dec(r.latency?.p99, 2),
      dec(r.latency?.p999, 2),
      dec(r.latency?.max, 2),
      int(r.latency?.count),
      r.metrics?.ackP50Ms === undefined ? '—' : `${dec(r.metrics.ackP50Ms, 2)} / ${dec(r.metrics.ackP99Ms, 2)}`,
      r.guarantee,
      statusText(r),
    ]),
  );
}

function metricsTable(rows: ResultRow[]): string {
  return markdownTable(
    ['What', 'Guarantee', 'Size', 'Records/s', 'Time (s)', 'Numbers', 'Note'],
    rows.map((r) => [r.variant, r.guarantee, sizeOrDash(r.recordSize), int(r.recordsPerSec), dec(r.seconds, 2), metricsText(r), statusText(r)]),
  );
}

function ratiosList(rows: ResultRow[]): string {
  const ratios = peerRatios(rows);
  if (ratios.length === 0) return '';
  const lines = ratios.map(
    (x) => `- ${sizeLabel(x.recordSize)}: Tributary (${x.tributary.variant}) ÷ ${x.peer.system} (${x.peer.variant}) = **${x.ratio.toFixed(2)}×**`,
  );
  return `\nRatios to each peer (records/s, same run, same size and count):\n\n${lines.join('\n')}\n`;
}

function scenarioSection(id: ScenarioId, rows: ResultRow[]): string {
  const mine = rows.filter((r) => r.scenario === id);
  if (mine.length === 0) return '';
  const title = SCENARIOS[id].title;
  let body: string;
  if (id === 'latency') body = latencyTable(mine);
  else if (id === 'scale' || id === 'failover') body = metricsTable(mine);
  else body = throughputTable(mine);
  return `### ${title}\n\n${body}\n${ratiosList(mine)}`;
}

/** One sentence: the biggest bucket, and when that is GC, the biggest layer of code after it. */
export function biggestCost(p: ProfileSummary): string {
  const [top, ...rest] = p.buckets;
  if (!top) return 'no busy samples';
  const layer = rest.find((b) => b.bucket !== 'native, no JS caller');
  const fn = p.functions.find((f) => f.bucket !== 'garbage collector');
  const parts = [`${top.bucket}, ${dec(top.percentOfBusy)}% of busy time`];
  if (top.bucket === 'garbage collector' && layer) parts.push(`then ${layer.bucket}, ${dec(layer.percentOfBusy)}%`);
  if (fn) parts.push(`hottest function \`${fn.name}\` (${fn.location}, ${fn.bucket}, ${dec(fn.percentOfBusy)}%)`);
  return parts.join('; ');
}

function profileSection(p: ProfileSummary): string {
  const buckets = markdownTable(
    ['Layer', 'Self time (ms)', '% of busy'],
    p.buckets.map((b) => [b.bucket, dec(b.selfMs), dec(b.percentOfBusy)]),
  );
  const functions = markdownTable(
    ['Function', 'Where', 'Layer', 'Self (ms)', '% of busy'],
    p.functions.map((f) => [f.name, f.location, f.bucket, dec(f.selfMs), dec(f.percentOfBusy)]),
  );
  return [
    `### Broker ${p.brokerId} during ${p.scenario}`,
    '',
    `Sampled ${dec(p.totalMs / 1000, 1)} s of the workload, ${dec(p.busyMs / 1000, 1)} s of it busy. Profile file: \`${path.basename(p.file)}\` (in the results directory; open it in Chrome DevTools).`,
    '',
    `**Biggest cost: ${biggestCost(p)}.**`,
    '',
    buckets,
    '',
    'Top functions by self time:',
    '',
    functions,
    '',
  ].join('\n');
}

function profilesSection(report: BenchReport): string {
  if (report.profiles.length === 0) return '';
  return [
    '## Where the broker spends its CPU (`--profile`)',
    '',
    'One broker ran under `node --cpu-prof`; only samples taken while the workload ran count (start-up and shutdown are left out). ' +
      'Percentages are of busy (non-idle) time and are self time. Node internals and native calls (socket writes, Buffer copies, fs calls) are charged to the nearest caller in a named layer, so a layer includes the system work it asked for; GC stays on its own line.',
    '',
    ...report.profiles.map(profileSection),
  ].join('\n');
}

/** docs/benchmarks.md: the latest run, its machine and command, the targets, every row with its guarantee. */
export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const s = report.producerSettings;
  const order = Object.keys(SCENARIOS) as ScenarioId[];
  const checks = targetChecks(report.rows, report.options.messageSizes);
  const skipped = report.rows.filter((r) => r.status !== 'ok');
  return [
    '# Tributary benchmarks',
    '',
    `_Written by \`tributary bench\` on ${report.finishedAt}; every number below is from that one run. Re-run to refresh: this file is overwritten._`,
    '',
    '## Run',
    '',
    `- Command: \`${report.command}\``,
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.ramGiB} GiB RAM; ${m.platform}; Node ${m.node}`,
    `- Peers: ${m.redisServer}; ${m.natsServer ?? 'nats-server not on PATH (NATS rows skipped)'}`,
    `- Options: scenarios ${report.options.scenarios.join(', ')}; record sizes ${report.options.messageSizes.map(sizeLabel).join(', ')}; ${int(report.options.records)} records per throughput run; ${report.options.durationSeconds} s per latency rate${report.options.quick ? '; --quick' : ''}${report.options.profile ? '; --profile' : ''}`,
    `- Started ${report.startedAt}, finished ${report.finishedAt}`,
    '',
    'Everything ran on this one machine at once: the bench process (clients), Redis, three broker processes per scenario and the NATS servers, all on loopback. ' +
      'Each system moved the same records (same size, same count, incompressible bytes) after an untimed warm-up of 10% (at most 20,000 records). ' +
      'A throughput row is records acknowledged (produce) or handed to the application (consume) divided by the wall time of the run.',
    '',
    `Tributary producer setting for every throughput row: \`${describeCandidate(s)}\`, maxInFlightPerBroker ${s.maxInFlightPerBroker} ` +
      '(the same for RF=1 and RF=3; chosen with `tributary bench --scenarios tune`, which measures it against alternatives at both; the SDK default batchSize of 16 KiB is 3-4× slower here).',
    '',
    '## Against the targets of issues 5 and 12',
    '',
    'Targets are goals, stated for 1 KiB records; they are reported here, not asserted.',
    '',
    markdownTable(
      ['Target', 'Size', 'Goal', 'Measured', 'Status', 'Note'],
      checks.map((c) => [c.target, sizeOrDash(c.recordSize), c.goal, c.measured, c.status, c.note ?? '']),
    ),
    '',
    '## Results',
    '',
    ...order.map((id) => scenarioSection(id, report.rows)).filter(Boolean),
    profilesSection(report),
    skipped.length > 0
      ? '## Skipped or failed rows\n\n' +
        skipped
          .map((r) => `- ${r.scenario} / ${r.system} / ${r.variant}${r.recordSize ? ` / ${sizeLabel(r.recordSize)}` : ''}: ${r.note ?? r.status}`)
          .join('\n') +
        '\n'
      : '',
    report.notes.length > 0 ? '## Notes\n\n' + report.notes.map((n) => `- ${n}`).join('\n') + '\n' : '',
  ].join('\n');
}
