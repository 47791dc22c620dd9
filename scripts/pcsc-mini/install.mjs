#!/usr/bin/env node
// install.mjs - install the development copy of pcsc-mini (and this platform's addon package)
// into node_modules from tarballs whose sha512 must equal the pins in pins.json.
// Runs as the `prepare` script after `npm ci` / `npm install` in this repository (never in an
// app that installs mynacard). See pins.json for why pcsc-mini is not in package-lock.json.
//
// Exit 0 when installed, already installed, or this platform has no pin (then the PC/SC
// integration tests say they are unavailable); exit 1 on a hash mismatch, or on any failure
// when CI=true (CI must never run without the PC/SC stack it tests).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

function sri(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

function installedVersion(name) {
  const manifest = path.join(ROOT, 'node_modules', name, 'package.json');
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
}

/** Fetch `name@version` with npm, check its hash against the pin, unpack it into node_modules. */
function install(name, work) {
  const spec = `${name}@${pins.version}`;
  const out = execFileSync('npm', ['pack', spec, '--pack-destination', work, '--json', '--ignore-scripts'], {
    cwd: work,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [{ filename }] = JSON.parse(out);
  const tarball = path.join(work, filename);
  const actual = sri(tarball);
  if (actual !== pins.packages[name]) {
    throw Object.assign(new Error(`${spec}: sha512 of the tarball is ${actual}, the pin says ${pins.packages[name]}: refused`), { mismatch: true });
  }
  const unpacked = path.join(work, `${filename}.d`);
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
  const target = path.join(ROOT, 'node_modules', name);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(path.dirname(target), { recursive: true });
  renameSync(unpacked, target);
  say(`installed ${spec} (${actual.slice(0, 19)}…, pinned)`);
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
const work = mkdtempSync(path.join(tmpdir(), 'mynacard-pcsc-mini-'));
try {
  for (const name of missing) install(name, work);
} catch (error) {
  console.error(`pcsc-mini: ${error.message.split('\n')[0]}`);
  process.exit(error.mismatch || ci ? 1 : 0);
} finally {
  rmSync(work, { recursive: true, force: true });
}
