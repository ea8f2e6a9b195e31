import { defaultOf, type Setting } from './setting';
import { SETTING_TABLES } from './setting-tables';

/** The README's configuration table sits between these lines; `npm run docs:config` rewrites it. */
export const CONFIG_TABLE_START = '<!-- broker-config-table: generated from libs/broker/src/config by `npm run docs:config` -->';
export const CONFIG_TABLE_END = '<!-- /broker-config-table -->';

const tables = SETTING_TABLES;
const MiB = 1024 * 1024;

/** The markdown table of every broker setting, one row each, in declaration order. */
export function renderConfigTable(): string {
  const envOfField = new Map(tables.flatMap((t) => Object.entries(t).map(([field, s]): [string, string] => [field, s.env])));
  const rows = tables.flatMap((t) => Object.values(t)).map((s) => `| \`${s.env}\` | ${cell(shownDefault(s, envOfField))} | ${cell(s.doc)} |`);
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** `readme` with the text between the markers replaced by the table; throws if a marker is missing. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(CONFIG_TABLE_START);
  const end = readme.indexOf(CONFIG_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the lines ${CONFIG_TABLE_START} and ${CONFIG_TABLE_END}`);
  return `${readme.slice(0, start + CONFIG_TABLE_START.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}

function shownDefault(s: Setting, envOfField: ReadonlyMap<string, string>): string {
  if (s.shownDefault !== undefined) return s.shownDefault;
  if (s.defaultFrom !== undefined) return `\`${envOfField.get(s.defaultFrom) ?? s.defaultFrom}\``;
  const d = defaultOf(s);
  if (d.required) return '(required)';
  if (d.value === undefined || d.value === null) return '(unset)';
  // defaults are scalars; anything else is printed as JSON rather than '[object Object]'
  const shown = `\`${typeof d.value === 'string' || typeof d.value === 'number' || typeof d.value === 'boolean' ? String(d.value) : JSON.stringify(d.value)}\``;
  if (typeof d.value === 'number' && s.env.endsWith('_BYTES') && d.value >= MiB && d.value % MiB === 0) {
    return d.value % (1024 * MiB) === 0 ? `${shown} (${d.value / (1024 * MiB)} GiB)` : `${shown} (${d.value / MiB} MiB)`;
  }
  return shown;
}

/** Markdown table cells end at a bare `|`. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
