import type { ResultRow } from '../results';

export const int = (n: number | undefined): string => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));
export const dec = (n: number | undefined, digits = 1): string => (n === undefined ? '—' : n.toFixed(digits));

/** Escapes what would break a Markdown table cell. */
export const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function statusText(r: ResultRow): string {
  if (r.status === 'ok') return r.note ?? '';
  return r.note ?? r.status;
}

/** Scenario-specific numbers as "name value" pairs, in the order they were recorded. */
export function metricsText(r: ResultRow): string {
  if (!r.metrics) return '';
  return Object.entries(r.metrics)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v.toLocaleString('en-US') : v}`)
    .join(', ');
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}
