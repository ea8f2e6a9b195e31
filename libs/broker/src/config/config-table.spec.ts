import { readFileSync } from 'fs';
import { join } from 'path';
import { CONFIG_TABLE_END, CONFIG_TABLE_START, renderConfigTable, withConfigTable } from './config-table';
import { SETTING_TABLES } from './setting-tables';

describe('the README configuration table', () => {
  const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');

  it('is what the setting declarations produce (run `npm run docs:config` after changing one)', () => {
    const start = readme.indexOf(CONFIG_TABLE_START);
    const end = readme.indexOf(CONFIG_TABLE_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    expect(readme.slice(start + CONFIG_TABLE_START.length, end).trim()).toBe(renderConfigTable());
    expect(withConfigTable(readme)).toBe(readme);
  });

  it('has one row per declared variable, each declared once', () => {
    const envs = SETTING_TABLES.flatMap((t) => Object.values(t)).map((s) => s.env);
    expect(new Set(envs).size).toBe(envs.length);
    const rows = renderConfigTable()
      .split('\n')
      .slice(2)
      .map((r) => /^\| `([A-Z0-9_]+)` \|/.exec(r)?.[1]);
    expect(rows).toEqual(envs);
  });

  it('shows required settings, fallbacks, unset ones, byte sizes and secrets as an operator reads them', () => {
    const table = renderConfigTable();
    expect(table).toContain('| `BROKER_ID` | (required) |');
    expect(table).toContain('| `ADVERTISED_HOST` | `HOST` |');
    expect(table).toContain('| `REPLICA_STALL_TIMEOUT_MS` | `LEADER_LEASE_MS` |');
    expect(table).toContain('| `MAX_REQUEST_BYTES` | `8388608` (8 MiB) |');
    expect(table).toContain('| `GROUP_MIN_SESSION_TIMEOUT_MS` | `500` |');
    expect(table).toContain('| `ALLOWED_ORIGINS` | (unset) |');
    expect(table).toContain('| `INTER_BROKER_SECRET` | (unset: one per cluster, kept in the coordination Redis) |');
  });

  it('refuses a README whose markers are gone rather than appending a second table', () => {
    expect(() => withConfigTable('# no table here\n')).toThrow(/broker-config-table/);
  });
});
