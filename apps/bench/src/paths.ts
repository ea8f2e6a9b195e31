import * as fs from 'fs';
import * as path from 'path';

/**
 * The repository root: the nearest folder above this file whose package.json is Tributary's.
 * Found by walking up because this file runs both from apps/ (ts-jest) and from dist/.
 */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 12; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        const parsed: unknown = JSON.parse(fs.readFileSync(pkg, 'utf8'));
        if (typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'tributary') return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`cannot find the Tributary repository above ${__dirname}`);
}

/** The built broker entry point; brokers always run from dist, as users run them. */
export function brokerMain(): string {
  const main = path.join(repoRoot(), 'dist', 'apps', 'broker', 'src', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  return main;
}
