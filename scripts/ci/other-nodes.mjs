#!/usr/bin/env node
// other-nodes.mjs - fetch the pinned Node.js releases of node-pins.json into DIR and print one
// line per release: `<version> <path of its bin directory>`. Linux x64 only (CI's machine).
// Usage: node scripts/ci/other-nodes.mjs DIR
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchPinned } from '../pinned/fetch.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const pins = JSON.parse(readFileSync(path.join(HERE, 'node-pins.json'), 'utf8'));
const dir = process.argv[2];
if (!dir) {
  console.error('usage: other-nodes.mjs DIR');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`other-nodes: pinned binaries are for linux-x64, not ${process.platform}-${process.arch}`);
  process.exit(1);
}
for (const [version, integrity] of Object.entries(pins.versions)) {
  const target = path.resolve(dir, `node-${version}`);
  fetchPinned(pins.package, version, integrity, target);
  console.log(`${version} ${path.join(target, 'bin')}`);
}
