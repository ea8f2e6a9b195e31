#!/usr/bin/env node
/**
 * Builds the web console (apps/console) into dist/console, which every broker serves at /console:
 * the page's TypeScript and the browser SDK bundled by esbuild into one script, plus the static
 * HTML and CSS. Nothing is downloaded. Type checking is `tsc -p apps/console/tsconfig.json`
 * (part of `npm run typecheck`): esbuild only strips types.
 */
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'apps', 'console');
const OUT = path.join(ROOT, 'dist', 'console');

fs.mkdirSync(OUT, { recursive: true });
esbuild.buildSync({
  entryPoints: [path.join(SRC, 'src', 'main.ts')],
  bundle: true,
  tsconfig: path.join(SRC, 'tsconfig.json'),
  platform: 'browser',
  mainFields: ['browser', 'module', 'main'],
  format: 'iife',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  outfile: path.join(OUT, 'console.js'),
});
for (const file of fs.readdirSync(path.join(SRC, 'static'))) fs.copyFileSync(path.join(SRC, 'static', file), path.join(OUT, file));
