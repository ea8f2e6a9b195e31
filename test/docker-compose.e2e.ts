import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadBrokerConfig } from '@tributary/broker';

/** There is no Docker engine here, so the compose file is checked by reading it. */
interface Service {
  image?: string;
  build?: string;
  restart?: string;
  healthcheck?: { test: string[]; interval?: string; retries?: number };
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
}

/** Compose's variable interpolation, as much of it as the file uses: `${VAR}` and `${VAR:-default}`. */
function interpolate(env: Record<string, string>, shell: Record<string, string | undefined>): Record<string, string> {
  const sub = (v: string) =>
    v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
      const set = shell[name];
      return set !== undefined && set !== '' ? set : (fallback ?? '');
    });
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, sub(String(v))]));
}

function interpolateList(values: string[], shell: Record<string, string | undefined>): string[] {
  return Object.values(interpolate(Object.fromEntries(values.map((v, i) => [String(i), v])), shell));
}

describe('docker-compose.yml', () => {
  const root = path.resolve(__dirname, '..');
  const doc = yaml.load(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const brokers = Object.entries(doc.services).filter(([name]) => name.startsWith('broker-'));

  it('runs Redis and three brokers from one image, built once from this repo', () => {
    expect(doc.services.redis.image).toMatch(/^redis:/);
    expect(doc.services.redis.ports).toBeUndefined(); // the host's own Redis keeps 6379
    expect(brokers).toHaveLength(3);
    const images = new Set(brokers.map(([, s]) => s.image));
    expect(images.size).toBe(1);
    expect([...images][0]).toEqual(expect.any(String));
    // one build, on one service; the others run the image it tags
    expect(brokers.filter(([, s]) => s.build !== undefined).map(([, s]) => s.build)).toEqual(['.']);
    for (const [, s] of brokers) expect(s.depends_on?.redis.condition).toBe('service_healthy');
    expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
    expect(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toContain('dist/apps/broker/src/main.js');
  });

  it('restarts every service unless stopped, and checks health: brokers on /health/ready, Redis by ping', () => {
    for (const [name, s] of Object.entries(doc.services)) expect({ name, restart: s.restart }).toEqual({ name, restart: 'unless-stopped' });
    for (const [, s] of brokers) {
      const test = (s.healthcheck?.test ?? []).join(' ');
      expect(test).toContain('/health/ready');
      expect(test).toContain('process.env.PORT');
    }
    expect(doc.services.redis.healthcheck?.test.join(' ')).toContain('ping');
  });

  it('keeps Redis durable: append-only file, fsynced on every write, on a volume', () => {
    const cmd = doc.services.redis.command ?? [];
    const option = (name: string) => cmd[cmd.indexOf(name) + 1];
    expect(option('--appendonly')).toBe('yes');
    expect(option('--appendfsync')).toBe('always');
    expect(doc.services.redis.volumes?.[0]).toMatch(/^redis-data:\/data$/);
  });

  it('builds an image that runs as a non-root user and carries neither the bench nor dev dependencies', () => {
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    const runtime = stages[stages.length - 1];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime).toMatch(/^USER (?!root\b)\w+/m);
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).not.toMatch(/COPY \. /); // only what the build stage made, not the sources
    expect(dockerfile).toMatch(/rm -rf dist\/apps\/bench/);
  });

  it('gives each broker a valid config: unique id and port, Redis by service name, a data volume', () => {
    const configs = brokers.map(([, s]) => loadBrokerConfig(interpolate(s.environment ?? {}, {})));
    expect(new Set(configs.map((c) => c.brokerId)).size).toBe(3);
    expect(new Set(configs.map((c) => c.port)).size).toBe(3);
    brokers.forEach(([name, s], i) => {
      expect(configs[i].redisUrl).toBe('redis://redis:6379');
      // one name for clients and peers: Docker's DNS inside the network, an /etc/hosts line on the host (README)
      expect(configs[i].advertisedHost).toBe(name);
      expect(configs[i].interBrokerHost).toBe(name);
      expect(interpolateList(s.ports ?? [], {})).toEqual([`127.0.0.1:${configs[i].port}:${configs[i].port}`]);
      const volume = (s.volumes ?? [])[0]?.split(':');
      expect(volume?.[1]).toBe(configs[i].dataDir);
      expect(doc.volumes).toHaveProperty(volume?.[0] ?? '');
    });
  });

  it('gives every broker one inter-broker secret: TRIBUTARY_INTER_BROKER_SECRET, else a documented local default', () => {
    const defaults = brokers.map(([, s]) => loadBrokerConfig(interpolate(s.environment ?? {}, {})).interBrokerSecret);
    expect(defaults[0]).toEqual(expect.any(String));
    expect(new Set(defaults)).toEqual(new Set([defaults[0]]));
    const chosen = 'a-secret-chosen-by-the-operator-0123456789';
    const set = brokers.map(([, s]) => loadBrokerConfig(interpolate(s.environment ?? {}, { TRIBUTARY_INTER_BROKER_SECRET: chosen })).interBrokerSecret);
    expect(set).toEqual([chosen, chosen, chosen]);
    // the override is validated like any broker setting
    expect(() => loadBrokerConfig(interpolate(brokers[0][1].environment ?? {}, { TRIBUTARY_INTER_BROKER_SECRET: 'short' }))).toThrow(/INTER_BROKER_SECRET/);
  });

  it("publishes every broker port on the host's loopback only, unless TRIBUTARY_PUBLISH_HOST says otherwise", () => {
    for (const [, s] of brokers) {
      const ports = s.ports ?? [];
      expect(ports.length).toBeGreaterThan(0);
      // compose reads 'port:port' as every interface (0.0.0.0): each mapping must name a host address
      for (const published of interpolateList(ports, {})) expect(published).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      for (const published of interpolateList(ports, { TRIBUTARY_PUBLISH_HOST: '0.0.0.0' })) expect(published).toMatch(/^0\.0\.0\.0:\d+:\d+$/);
    }
    expect(doc.services.redis.ports).toBeUndefined();
  });
});
