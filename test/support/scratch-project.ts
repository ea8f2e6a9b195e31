import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');

export interface PackedTarball {
  file: string;
  integrity: string;
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  bin: Record<string, string>;
}

interface LockEntry {
  version?: string;
  resolved?: string;
  dev?: boolean;
  link?: boolean;
  [field: string]: unknown;
}

/** `node scripts/pack.js --pack <dir>`: the three packages packed from dist (npm run build first). */
export async function packPackages(destination: string): Promise<Record<string, PackedTarball>> {
  const { stdout } = await run('node', [path.join(ROOT, 'scripts', 'pack.js'), '--pack', destination], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Record<string, PackedTarball>;
}

/**
 * A project outside the repository that installs the tarballs with `npm ci --offline`: its lock
 * file holds the tarballs plus the repository lock's production entries, so every dependency
 * comes from the npm cache that the repository's own `npm ci` filled (no registry is asked).
 */
export async function installScratchProject(dir: string, tarballs: Record<string, PackedTarball>, extra: string[]): Promise<void> {
  const repoLock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, LockEntry> = {};
  for (const [key, entry] of Object.entries(repoLock.packages)) {
    if (!key.startsWith('node_modules/') || entry.dev || entry.link) continue;
    // a lock without registry URLs makes npm ask the registry for them; name the tarball so the
    // cache answers by integrity alone
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[key] = entry.resolved ? entry : { ...entry, resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz` };
  }
  const dependencies: Record<string, string> = {};
  for (const [name, t] of Object.entries(tarballs)) {
    const spec = `file:${path.relative(dir, t.file)}`;
    dependencies[name] = spec;
    packages[`node_modules/${name}`] = {
      version: t.version,
      resolved: spec,
      integrity: t.integrity,
      license: 'MIT',
      dependencies: t.dependencies,
      peerDependencies: t.peerDependencies,
      peerDependenciesMeta: t.peerDependenciesMeta,
      bin: t.bin,
    };
  }
  for (const name of extra) {
    const version = repoLock.packages[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`${name} is not in the repository's lock file`);
    dependencies[name] = version;
  }
  const manifest = { name: 'tributary-scratch', version: '1.0.0', private: true, dependencies };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  const lock = { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages: { '': { ...manifest }, ...packages } };
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
}

/** The first of the usual Chromium binaries found on PATH, or null. */
export function findChromium(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return null;
}
