/** One sample of Prometheus's text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses `name{a="x",b="y"} 12.5` lines; comments and blank lines are skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** GET `url` with a deadline (a SIGSTOPped broker never answers): status and body, or null when it did not answer. */
export async function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string } | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch {
    return null;
  }
}

/** Scrapes a broker's /metrics. */
export async function scrape(httpBase: string): Promise<Sample[]> {
  const r = await httpGet(`${httpBase}/metrics`);
  if (!r || r.status !== 200) throw new Error(`scrape of ${httpBase}/metrics failed: ${r ? r.status : 'no answer'}`);
  return parsePrometheusText(r.body);
}

/** The sum of every sample of `name` matching `labels`. */
export function sum(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}
