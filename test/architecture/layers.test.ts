/**
 * The layers of `src/` point one way and no two files import each other, directly or in a ring.
 *
 * The layer map (an area is a top folder of `src/`, or a root file such as `errors.ts`):
 *
 * ```
 * errors, calendar, secret   (leaves; `secret` = the secret input types)
 * bytes, mutex                → errors
 * tlv, hash                   → errors, bytes
 * transport (the interface)   → errors, bytes, mutex
 * apdu                        → transport, errors, bytes, mutex
 * pcsc, webusb, web-smart-card, bridge, … transports → apdu, transport, errors, bytes, mutex
 * react-native                → the same, and aps (`withNfcCard` opens a card session)
 * aps (card sessions)         → apdu, transport, tlv, hash, errors, bytes, mutex, secret
 * crypto (trust)              → tlv, hash, calendar, errors, bytes, mutex, secret
 * card-trust                  → aps, crypto, hash and the leaves (trust operations that need a card)
 * messages (texts for people) → crypto (reason code types), errors, bytes, mutex
 * pdf (PDF signatures)       → aps, crypto, tlv, hash, messages, secret and the leaves; only cli and testing import it
 * person (one view of a holder, 和暦 / 性別 formatting) → calendar, errors, bytes, mutex
 * testing                     → anything but cli
 * cli                         → anything
 * index (the root entry)      → anything but cli and testing
 * ```
 *
 * `hash` (DigestInfo and the hashes) is the leaf that card sessions and trust both use; the
 * transports never reach the card sessions, trust, the CLI or the test tools.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { area, cycles, readImportGraph } from './import-graph.js';

const SRC = path.join(import.meta.dirname, '../../src');

const BASE = ['errors', 'bytes', 'mutex'];
const TRANSPORT_IMPLEMENTATION = [...BASE, 'transport', 'apdu'];
const EVERYTHING = [
  ...BASE,
  'secret',
  'tlv',
  'transport',
  'apdu',
  'pcsc',
  'webusb',
  'web-smart-card',
  'bridge',
  'react-native',
  'capacitor',
  'hash',
  'calendar',
  'aps',
  'crypto',
  'card-trust',
  'messages',
  'person',
  'pdf',
  'testing',
  'cli',
  'index',
];

/** Area → the other areas its files may import. An area not listed here fails the test. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  calendar: [],
  secret: [],
  bytes: ['errors'],
  mutex: ['errors'],
  tlv: ['errors', 'bytes'],
  hash: ['errors', 'bytes'],
  transport: BASE,
  apdu: [...BASE, 'transport'],
  pcsc: TRANSPORT_IMPLEMENTATION,
  webusb: TRANSPORT_IMPLEMENTATION,
  'web-smart-card': TRANSPORT_IMPLEMENTATION,
  bridge: TRANSPORT_IMPLEMENTATION,
  'react-native': [...TRANSPORT_IMPLEMENTATION, 'aps'],
  capacitor: TRANSPORT_IMPLEMENTATION,
  aps: [...BASE, 'apdu', 'transport', 'tlv', 'hash', 'secret'],
  crypto: [...BASE, 'tlv', 'hash', 'calendar', 'secret'],
  'card-trust': [...BASE, 'aps', 'crypto', 'hash'],
  messages: [...BASE, 'crypto'],
  person: [...BASE, 'calendar'],
  pdf: [...BASE, 'aps', 'crypto', 'tlv', 'hash', 'messages', 'secret'],
  testing: EVERYTHING.filter((a) => a !== 'cli'),
  cli: EVERYTHING,
  index: EVERYTHING.filter((a) => a !== 'cli' && a !== 'testing' && a !== 'pdf'),
};

/**
 * Imports that break the map and are being fixed; empty now. Add an entry only with a plan to
 * remove it: the test fails while a listed import no longer exists, so the list cannot go stale.
 */
const KNOWN_EXCEPTIONS: readonly (readonly [from: string, to: string])[] = [];


/** Files outside `src/` that a file may import (read at build time, not a layer). */
const OUTSIDE_SRC: Readonly<Record<string, readonly string[]>> = {
  'cli/run.ts': ['../package.json'],
};

const graph = readImportGraph(SRC);

function isAllowed(from: string, to: string): boolean {
  if (to.startsWith('../')) return OUTSIDE_SRC[from]?.includes(to.replace(/\.ts$/, '')) === true;
  const a = area(from);
  const b = area(to);
  return a === b || (ALLOWED[a]?.includes(b) ?? false);
}

const exceptionKey = ([from, to]: readonly [string, string]): string => `${from} -> ${to}`;

describe('the import graph of src/', () => {
  it('resolves every relative import to a file of src/ (or a listed file outside it)', () => {
    const unresolved: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) if (!graph.has(to) && !to.startsWith('../')) unresolved.push(`${from} -> ${to}`);
    }
    expect(unresolved).toEqual([]);
    expect(graph.size).toBeGreaterThan(100);
  });

  it('has no import cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('puts every file in an area of the layer map', () => {
    const unknown = [...new Set([...graph.keys()].map(area))].filter((a) => !(a in ALLOWED));
    expect(unknown).toEqual([]);
  });

  it('has no import against the layer map except the listed known exceptions', () => {
    const known = new Set(KNOWN_EXCEPTIONS.map(exceptionKey));
    const forbidden: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const key = exceptionKey([from, to]);
        if (!isAllowed(from, to) && !known.has(key)) forbidden.push(key);
      }
    }
    expect(forbidden).toEqual([]);
  });

  it('lists only known exceptions that still exist and still break the map', () => {
    const stale = KNOWN_EXCEPTIONS.filter(([from, to]) => !graph.get(from)?.has(to) || isAllowed(from, to));
    expect(stale.map(exceptionKey)).toEqual([]);
  });

  it('tells the checker apart from a graph that breaks the map', () => {
    expect(isAllowed('tlv/decode.ts', 'apdu/command.ts')).toBe(false);
    expect(isAllowed('transport/transport.ts', 'apdu/trace.ts')).toBe(false);
    expect(isAllowed('crypto/x509.ts', 'pcsc/transport.ts')).toBe(false);
    expect(isAllowed('aps/jpki.ts', 'crypto/x509.ts')).toBe(false);
    expect(isAllowed('index.ts', 'testing/index.ts')).toBe(false);
    expect(isAllowed('apdu/channel.ts', 'transport/transport.ts')).toBe(true);
    expect(cycles(new Map([['a.ts', new Set(['b.ts'])], ['b.ts', new Set(['a.ts'])]]))).toEqual([['a.ts', 'b.ts']]);
  });
});
