#!/usr/bin/env node
// install.mjs - install the development copy of pcsc-mini (and this platform's addon package)
// into node_modules from tarballs whose sha512 must equal the pins in pins.json.
// Runs as the `prepare` script after `npm ci` / `npm install` in this repository (never in an
// app that installs mynacard). See pins.json for why pcsc-mini is not in package-lock.json.
//
// Exit 0 when installed, already installed, or this platform has no pin (then the PC/SC
// integration tests say they are unavailable); exit 1 on a hash mismatch, or on any failure
// when CI=true (CI must never run without the PC/SC stack it tests).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchPinned, PinMismatchError } from '../pinned/fetch.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const pins = JSON.parse(readFileSync(path.join(HERE, 'pins.json'), 'utf8'));
const ci = process.env.CI === 'true';
const say = (text) => console.log(`pcsc-mini: ${text}`);

/** The addon package pcsc-mini's loader asks for on this platform (same rule as its addon.node.js). */
function platformPackage() {
  const { platform, arch } = process;
  const names = { x64: 'x86_64', arm64: 'aarch64', ia32: 'x86' };
  if (platform === 'linux') {
    const report = process.report?.getReport?.();
    const libc = report?.header?.glibcVersionRuntime ? 'gnu' : 'musl';
    return names[arch] && `@pcsc-mini/linux-${names[arch]}-${libc}`;
  }
  if (platform === 'darwin') return names[arch] && `@pcsc-mini/macos-${names[arch]}`;
  if (platform === 'win32') return names[arch] && `@pcsc-mini/windows-${names[arch]}-node`;
  return undefined;
}

function installedVersion(name) {
  const manifest = path.join(ROOT, 'node_modules', name, 'package.json');
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
}

const addon = platformPackage();
const wanted = ['pcsc-mini', addon].filter(Boolean);
if (addon === undefined || pins.packages[addon] === undefined) {
  const why = `no pinned addon package for ${process.platform}-${process.arch}${addon ? ` (${addon})` : ''}; the PC/SC integration tests will report themselves unavailable`;
  if (ci) {
    console.error(`pcsc-mini: ${why}`);
    process.exit(1);
  }
  say(why);
  process.exit(0);
}
const missing = wanted.filter((name) => installedVersion(name) !== pins.version);
if (missing.length === 0) {
  say(`${wanted.join(' + ')} ${pins.version} already installed`);
  process.exit(0);
}
try {
  for (const name of missing) {
    const checked = fetchPinned(name, pins.version, pins.packages[name], path.join(ROOT, 'node_modules', name));
    say(`installed ${name}@${pins.version} (${checked.slice(0, 19)}…, pinned)`);
  }
} catch (error) {
  console.error(`pcsc-mini: ${error.message.split('\n')[0]}`);
  process.exit(error instanceof PinMismatchError || ci ? 1 : 0);
}
