import type { ResultRow } from '../results';
import { sizeOrDash } from './comparisons';
import { dec, int, metricsText } from './format';

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** The terminal summary: one line per row, peers beside Tributary, widths fitted to the content. */
export function renderConsoleTable(rows: ResultRow[]): string {
  const header = ['scenario', 'system', 'variant', 'size', 'records/s', 'MB/s', 'p50/p99/p99.9 ms', 'guarantee', 'note'];
  const body = rows.map((r) => [
    r.scenario,
    r.system,
    clip(r.variant, 56),
    sizeOrDash(r.recordSize),
    int(r.recordsPerSec),
    dec(r.mbPerSec),
    r.latency ? `${dec(r.latency.p50, 2)}/${dec(r.latency.p99, 2)}/${dec(r.latency.p999, 2)}` : '',
    clip(r.guarantee, 48),
    clip(r.status === 'ok' ? [r.note, metricsText(r)].filter(Boolean).join('; ') : (r.note ?? r.status), 70),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
