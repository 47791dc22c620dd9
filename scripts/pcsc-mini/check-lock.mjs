#!/usr/bin/env node
// check-lock.mjs - fail when an entry of package-lock.json has no `integrity` (an entry without
// one installs whatever tarball the registry or a mirror serves). Only the root package and
// workspace links carry none by nature. Usage: node scripts/pcsc-mini/check-lock.mjs [lockfile]
import { readFileSync } from 'node:fs';

export function entriesWithoutIntegrity(lock) {
  return Object.entries(lock.packages ?? {})
    .filter(([key, entry]) => key !== '' && entry.link !== true && typeof entry.integrity !== 'string')
    .map(([key]) => key);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? 'package-lock.json';
  const missing = entriesWithoutIntegrity(JSON.parse(readFileSync(file, 'utf8')));
  if (missing.length > 0) {
    console.error(`${file}: ${missing.length} entries without integrity:\n  ${missing.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`${file}: every entry carries an integrity hash`);
}
