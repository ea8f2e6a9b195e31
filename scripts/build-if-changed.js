#!/usr/bin/env node
// `npm start` on a built tree starts at once: the build runs only when a source file (or a
// tsconfig / package.json) is newer than the stamp the last build through here left in dist/.
const { execSync } = require('child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('fs');
const { join } = require('path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let latest = st.mtimeMs;
  for (const entry of readdirSync(path)) if (entry !== 'node_modules') latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const inputs = ['apps', 'libs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => join(root, p)).filter((p) => existsSync(p));
const sources = Math.max(...inputs.map(newest));
if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) {
  console.log('build: dist/ is up to date, skipped');
} else {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
