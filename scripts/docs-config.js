#!/usr/bin/env node
// Rewrites the README's broker configuration table from the setting declarations in
// libs/broker/src/config (run by `npm run docs:config`, which builds first).
const { readFileSync, writeFileSync } = require('fs');
const { join } = require('path');
const { withConfigTable } = require('../dist/libs/broker/src/config/config-table');

const path = join(__dirname, '..', 'README.md');
const before = readFileSync(path, 'utf8');
const after = withConfigTable(before);
if (after === before) {
  console.log('README.md: broker configuration table already up to date');
} else {
  writeFileSync(path, after);
  console.log('README.md: broker configuration table rewritten');
}
