import * as fs from 'fs';
import * as path from 'path';
import { BrokerCounters, type BrokerObservation } from '@tributary/broker';
import { BrokerMetrics } from './broker-metrics';

/**
 * docs/grafana/tributary-dashboard.json is the dashboard operators import: it must parse, and
 * every metric its queries name must be one a broker exports (a renamed metric would leave a
 * panel silently empty).
 */
const DASHBOARD = path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'grafana', 'tributary-dashboard.json');

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}

const observation: BrokerObservation = { replicas: [], offlineReplicas: 0, offlinePartitions: 0, isController: false, redisRoundTripMs: 1, liveBrokers: 1 };

async function exportedNames(): Promise<Set<string>> {
  const metrics = new BrokerMetrics({ config: { brokerId: 1 }, counters: new BrokerCounters(), observe: () => observation, groupLags: async () => [] });
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    // a histogram's series, as PromQL names them
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${m.name}${suffix}`);
  }
  return names;
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { title: string; panels: Panel[]; templating: { list: Array<{ query?: unknown }> } };
  const exprs = [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...dashboard.templating.list.map((v) => v.query).filter((q): q is string => typeof q === 'string' && q.includes('(')),
  ];

  it('parses, and every panel has a query', () => {
    expect(dashboard.title).toBe('Tributary');
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const p of dashboard.panels) expect({ title: p.title, queries: (p.targets ?? []).length > 0 }).toEqual({ title: p.title, queries: true });
  });

  it('names only metrics a broker exports, and shows every one of the issue', async () => {
    const exported = await exportedNames();
    const named = new Set(exprs.flatMap((e) => e.match(/\b(?:tributary|nodejs|process)_[a-z0-9_]+/g) ?? []));
    expect([...named].filter((n) => !exported.has(n))).toEqual([]);
    const tributary = [...exported].filter(
      (n) => n.startsWith('tributary_') && !/_(bucket|sum)$/.test(n) && n !== 'tributary_network_requestmetrics_total_time_seconds',
    );
    const shown = [...named].join(' ');
    expect(tributary.filter((n) => !shown.includes(n) && n !== 'tributary_log_log_start_offset' && n !== 'tributary_cluster_partition_high_watermark')).toEqual(
      [],
    );
  });
});
