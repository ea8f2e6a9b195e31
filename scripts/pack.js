#!/usr/bin/env node
/**
 * Lays out the three npm packages from the compiled output (`npm run build` first): for each
 * template in packages/<dir>/package.json it copies the files its entry points require (the
 * transitive closure of relative requires and of .d.ts imports, paths kept as under dist/),
 * fills in version and dependencies (the bare modules the copied code requires, at the root
 * package.json's ranges), and writes dist/packages/<dir>/. The client also gets an ESM build and
 * browser bundles made by esbuild from its TypeScript source.
 *
 *   node scripts/pack.js               lay out dist/packages/*
 *   node scripts/pack.js --pack DIR    ... and `npm pack` each into DIR (prints the tarball paths as JSON)
 *
 * The sources stay in libs/ and apps/: packages are views of dist, not separate source trees.
 */
const fs = require('fs');
const path = require('path');
const { builtinModules } = require('module');
const { execFileSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const OUT = path.join(DIST, 'packages');
const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const ranges = { ...rootPkg.devDependencies, ...rootPkg.dependencies };
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** "@scope/name/sub" -> "@scope/name", "name/sub" -> "name" */
const packageOf = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

function resolveRelative(from, spec, exts) {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, ...exts.map((e) => base + e), ...exts.map((e) => path.join(base, 'index' + e))]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${path.relative(ROOT, from)} requires '${spec}', which is not in dist: run npm run build`);
}

/**
 * Files reachable from `entries` through relative references, and the bare modules they name.
 * `external` maps a dist file to the package that replaces it (it is not followed).
 */
function closure(entries, pattern, exts, external) {
  const files = new Set();
  const bare = new Set();
  const stack = [...entries];
  while (stack.length > 0) {
    const file = stack.pop();
    if (files.has(file)) continue;
    files.add(file);
    if (external.has(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(pattern)) {
      const spec = match[1] ?? match[2];
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec, exts);
        const replacement = external.get(target);
        if (replacement) {
          bare.add(replacement);
          files.add(target);
        } else stack.push(target);
      } else if (!builtins.has(spec)) bare.add(packageOf(spec));
    }
  }
  return { files, bare };
}

const REQUIRE = /require\("([^"]+)"\)/g;
const DTS_IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']|\/\/\/\s*<reference\s+path="([^"]+)"/g;

function copy(file, outDir, prefix) {
  const target = path.join(outDir, prefix, path.relative(DIST, file));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
}

function dependencies(bare, { peers = () => false, skip = [] } = {}) {
  const deps = {};
  const peerDeps = {};
  for (const name of [...bare].sort()) {
    if (skip.includes(name)) continue;
    const range = ranges[name];
    if (!range) throw new Error(`the compiled code requires '${name}', which the root package.json does not list`);
    (peers(name) ? peerDeps : deps)[name] = range;
  }
  return { deps, peerDeps };
}

function writeManifest(dir, fields) {
  const template = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', dir, 'package.json'), 'utf8'));
  const manifest = { name: template.name, version: rootPkg.version, ...template, ...fields };
  const out = path.join(OUT, dir);
  fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.copyFileSync(path.join(ROOT, 'README.md'), path.join(out, 'README.md'));
  return manifest;
}

/** JS closure + its declarations, copied under <out>/<prefix>/ */
function layOut(dir, jsEntries, prefix, external = new Map()) {
  const out = path.join(OUT, dir);
  const js = closure(jsEntries, REQUIRE, ['.js'], external);
  const dtsEntries = [...js.files].map((f) => f.replace(/\.js$/, '.d.ts')).filter((f) => fs.existsSync(f));
  const dtsExternal = new Map([...external].map(([f, p]) => [f.replace(/\.js$/, '.d.ts'), p]));
  const dts = closure(dtsEntries, DTS_IMPORT, ['.d.ts'], dtsExternal);
  for (const file of [...js.files, ...dts.files]) if (!external.has(file) && !dtsExternal.has(file)) copy(file, out, prefix);
  for (const [file, pkg] of external) {
    fs.mkdirSync(path.dirname(path.join(out, prefix, path.relative(DIST, file))), { recursive: true });
    fs.writeFileSync(path.join(out, prefix, path.relative(DIST, file)), `module.exports = require('${pkg}');\n`);
    fs.writeFileSync(path.join(out, prefix, path.relative(DIST, file)).replace(/\.js$/, '.d.ts'), `export * from '${pkg}';\n`);
  }
  // the coordination scripts are read from disk next to the compiled code
  const lua = path.join(DIST, 'libs', 'coordination', 'src', 'lua');
  if ([...js.files].some((f) => f.startsWith(path.dirname(lua)))) fs.cpSync(lua, path.join(out, prefix, path.relative(DIST, lua)), { recursive: true });
  return new Set([...js.bare].filter((b) => !b.startsWith('@types/')));
}

function buildClient() {
  const dir = 'client';
  const bare = layOut(dir, [path.join(DIST, 'libs', 'client', 'src', 'index.js')], path.join('dist', 'cjs'));
  const esbuild = require('esbuild');
  const entry = path.join(ROOT, 'libs', 'client', 'src', 'index.ts');
  const tsconfig = path.join(ROOT, 'tsconfig.json');
  const out = path.join(OUT, dir, 'dist');
  const common = { entryPoints: [entry], bundle: true, tsconfig, target: 'es2022', logLevel: 'warning', legalComments: 'none' };
  // ESM for Node and bundlers: our code in one file, dependencies imported
  // crc-32 goes in: it has no exports map, so Node's ESM loader cannot import its crc32c subpath
  const external = [...bare].filter((name) => name !== 'crc-32');
  esbuild.buildSync({ ...common, format: 'esm', platform: 'neutral', external: [...external, 'buffer'], outfile: path.join(out, 'esm', 'index.mjs') });
  // browsers: everything in one file; no Node built-in may be reached (esbuild fails on one)
  const browser = { ...common, platform: 'browser', mainFields: ['browser', 'module', 'main'], minify: true, sourcemap: true };
  esbuild.buildSync({ ...browser, format: 'esm', outfile: path.join(out, 'browser', 'tributary-client.js') });
  esbuild.buildSync({ ...browser, format: 'iife', globalName: 'TributaryClient', outfile: path.join(out, 'browser', 'tributary-client.iife.js') });
  // 'buffer' is Node's own in Node, but bundlers (and the browser build) take the npm package
  const { deps } = dependencies(new Set([...bare, 'buffer']));
  return writeManifest(dir, { dependencies: deps });
}

function buildNestjs(clientVersion) {
  const dir = 'nestjs';
  const clientIndex = path.join(DIST, 'libs', 'client', 'src', 'index.js');
  const bare = layOut(dir, [path.join(DIST, 'libs', 'nestjs', 'src', 'index.js')], 'dist', new Map([[clientIndex, '@tributary/client']]));
  // TributaryBrokerModule serves the web console at /console from here
  fs.cpSync(path.join(DIST, 'console'), path.join(OUT, dir, 'dist', 'console'), { recursive: true });
  const isPeer = (name) => name.startsWith('@nestjs/') || name === 'rxjs' || name === 'reflect-metadata';
  const { deps, peerDeps } = dependencies(bare, { peers: isPeer, skip: ['@tributary/client'] });
  return writeManifest(dir, {
    dependencies: { '@tributary/client': clientVersion, ...deps },
    // the health indicator returns terminus's result shape without importing it
    peerDependencies: { ...peerDeps, '@nestjs/terminus': '^10.0.0 || ^11.0.0' },
  });
}

function buildTributary() {
  const dir = 'tributary';
  const entries = [
    ['apps', 'broker', 'src', 'main.js'],
    ['apps', 'cli', 'src', 'main.js'],
    ['libs', 'broker', 'src', 'index.js'],
  ].map((p) => path.join(DIST, ...p));
  const bare = layOut(dir, entries, 'dist');
  // the web console's static files (the broker serves them at /console; no require() names them)
  fs.cpSync(path.join(DIST, 'console'), path.join(OUT, dir, 'dist', 'console'), { recursive: true });
  fs.mkdirSync(path.join(OUT, dir, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(OUT, dir, 'bin', 'tributary.js'), "#!/usr/bin/env node\nrequire('../dist/apps/cli/src/main.js');\n", { mode: 0o755 });
  // Nest loads its HTTP platform by name at run time, so no require() names it
  const { deps } = dependencies(new Set([...bare, '@nestjs/platform-express']));
  return writeManifest(dir, { dependencies: deps });
}

function main() {
  if (!fs.existsSync(path.join(DIST, 'libs', 'client', 'src', 'index.d.ts'))) throw new Error('dist/ has no build with declarations: run npm run build first');
  fs.rmSync(OUT, { recursive: true, force: true });
  const client = buildClient();
  const manifests = [client, buildNestjs(client.version), buildTributary()];
  const packAt = process.argv.indexOf('--pack');
  if (packAt === -1) {
    for (const m of manifests) process.stdout.write(`${m.name}@${m.version} -> ${path.relative(ROOT, path.join(OUT, dirOf(m)))}\n`);
    return;
  }
  const destination = path.resolve(process.argv[packAt + 1] ?? '.');
  fs.mkdirSync(destination, { recursive: true });
  // one npm run packs all three
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination, ...manifests.map((m) => path.join(OUT, dirOf(m)))], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const infos = JSON.parse(out);
  const tarballs = {};
  for (const m of manifests) {
    const info = infos.find((i) => i.name === m.name);
    tarballs[m.name] = {
      file: path.join(destination, info.filename),
      integrity: info.integrity,
      version: m.version,
      dependencies: m.dependencies,
      peerDependencies: m.peerDependencies ?? {},
      peerDependenciesMeta: m.peerDependenciesMeta ?? {},
      bin: m.bin ?? {},
    };
  }
  process.stdout.write(JSON.stringify(tarballs, null, 2) + '\n');
}

function dirOf(manifest) {
  return { '@tributary/client': 'client', '@tributary/nestjs': 'nestjs', tributary: 'tributary' }[manifest.name];
}

main();
