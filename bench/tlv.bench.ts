/**
 * TLV decoder benchmark (issue targets): full-tree decode of JPKI-shaped certificates and of
 * `FF20` text records, against node-forge, @lapo/asn1js, asn1js and @peculiar/asn1-schema.
 *
 * The decode targets are scored on "ours: decodeTlv": the whole tree's framing is validated (so
 * walking it can never fail later) and node objects are created only when accessed. The walk
 * targets of issue 14 (every node visited, its tag and length read, its children reached) are
 * scored on `tlvCursor`, the allocation-free walk over the same validation: firstChild /
 * nextSibling / parent, and for the value rows one value view made and read per node. The same
 * walks through node objects (`decodeTlv` + `children`), the pre-order `next()` walk, a floor
 * that makes one plain object per node, and `validateTlv` alone are printed for comparison.
 * Everything runs in one process, interleaved rounds, CPU time (see harness.ts).
 * @packageDocumentation
 */
import 'reflect-metadata';
import forge from 'node-forge';
import { ASN1 } from '@lapo/asn1js';
import * as asn1js from 'asn1js';
import { AsnParser } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { decodeTlv, tlvCursor, validateTlv, readTlvInteger, type TlvNode } from '../src/tlv/index.js';
import { formatTable, measure, type BenchCase, type BenchOutcome } from './harness.js';
import { generateJpkiShapedCertificates, PEOPLE, readRealCertificates, textRecord } from './tlv-corpus.js';

const walkStack: TlvNode[] = [];

/** Visit every node; returns a checksum of what was read and the node count in `lastCount`. */
let lastCount = 0;
function walk(nodes: readonly TlvNode[], touchValue: boolean): number {
  const stack = walkStack;
  let sp = 0;
  let acc = 0;
  let count = 0;
  for (let i = nodes.length - 1; i >= 0; i--) stack[sp++] = nodes[i]!;
  while (sp > 0) {
    const node = stack[--sp]!;
    count++;
    acc += node.tag + node.length;
    if (touchValue) acc += consume(node.value);
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) stack[sp++] = children[i]!;
  }
  lastCount = count;
  return acc;
}

/**
 * What a value row does with each view: its length and a byte read from it, so that the view is
 * really made (not folded away by the optimiser) and its contents reached.
 */
function consume(v: Uint8Array): number {
  return v.length === 0 ? 0 : v.length + v[v.length - 1]!;
}

/**
 * The same depth-first walk as {@link walk} with a {@link tlvCursor}: every node visited, its tag
 * and length read, its children reached through `firstChild` / `nextSibling` / `parent`.
 */
function walkCursor(bytes: Uint8Array): number {
  const c = tlvCursor(bytes);
  let acc = 0;
  let count = 0;
  for (;;) {
    count++;
    acc += c.tag + c.length;
    if (c.firstChild()) continue;
    while (!c.nextSibling()) {
      if (!c.parent()) {
        lastCount = count;
        return acc;
      }
    }
  }
}

/** The same visit in document order with `next()` (depth first, no explicit child moves). */
function walkCursorNext(bytes: Uint8Array): number {
  const c = tlvCursor(bytes);
  let acc = 0;
  do acc += c.tag + c.length + c.depth;
  while (c.next());
  return acc;
}

/** {@link walkCursor} that also makes and reads a value view per node (its own copy: a flag would cost the walk without values). */
function walkCursorValues(bytes: Uint8Array): number {
  const c = tlvCursor(bytes);
  let acc = 0;
  let count = 0;
  for (;;) {
    count++;
    acc += c.tag + c.length + consume(c.value);
    if (c.firstChild()) continue;
    while (!c.nextSibling()) {
      if (!c.parent()) {
        lastCount = count;
        return acc;
      }
    }
  }
}

/**
 * Reference floor (issue 14: "a plain walker that makes one object per node"): no validation,
 * no laziness, every node object and children array made in one recursive pass over bytes
 * known to be valid DER, then walked like ours. Not a parser anyone should use: it shows what
 * one object per node costs in this V8.
 */
class PlainNode {
  constructor(
    readonly tag: number,
    readonly offset: number,
    readonly headerLength: number,
    readonly length: number,
    readonly children: readonly PlainNode[],
  ) {}
}
const NO_CHILDREN: readonly PlainNode[] = [];
function plainDecode(bytes: Uint8Array, start: number, end: number): PlainNode[] {
  const out: PlainNode[] = [];
  for (let pos = start; pos < end; ) {
    const b0 = bytes[pos]!;
    let p = pos + 1;
    let tag = b0;
    if ((b0 & 0x1f) === 0x1f) while (bytes[p - 1]! >= 0x80 || p === pos + 1) tag = tag * 256 + bytes[p++]!;
    let length = bytes[p++]!;
    if (length > 0x80) {
      let k = length & 0x7f;
      length = 0;
      while (k-- > 0) length = length * 256 + bytes[p++]!;
    }
    const children = (b0 & 0x20) !== 0 && length > 0 ? plainDecode(bytes, p, p + length) : NO_CHILDREN;
    out.push(new PlainNode(tag, pos, p - pos, length, children));
    pos = p + length;
  }
  return out;
}
const plainStack: PlainNode[] = [];
/** {@link walk} for plain nodes (its own copy, so that ours stays monomorphic). */
function walkPlain(nodes: readonly PlainNode[], bytes: Uint8Array, touchValue: boolean): number {
  const stack = plainStack;
  const buffer = bytes.buffer; // once per walk: the getter costs as much as a view
  const base = bytes.byteOffset;
  let sp = 0;
  let acc = 0;
  for (let i = nodes.length - 1; i >= 0; i--) stack[sp++] = nodes[i]!;
  while (sp > 0) {
    const node = stack[--sp]!;
    acc += node.tag + node.length;
    if (touchValue) acc += consume(new Uint8Array(buffer, base + node.offset + node.headerLength, node.length));
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) stack[sp++] = children[i]!;
  }
  return acc;
}

function countForge(node: forge.asn1.Asn1): number {
  let n = 1;
  if (node.constructed && Array.isArray(node.value)) for (const c of node.value) n += countForge(c);
  return n;
}

/** Lapo decodes BIT/OCTET STRING contents as encapsulated ASN.1 when it can: not counted. */
function countLapo(node: ASN1): number {
  let n = 1;
  if (node.tag.tagConstructed && node.sub !== null) for (const c of node.sub) n += countLapo(c);
  return n;
}

interface Asn1jsBlock {
  readonly idBlock: { readonly isConstructed: boolean };
  readonly valueBlock: { readonly value?: unknown };
}
/** asn1js also decodes encapsulated content of primitive strings: not counted. */
function countAsn1js(block: Asn1jsBlock): number {
  let n = 1;
  const value = block.valueBlock.value;
  if (block.idBlock.isConstructed && Array.isArray(value)) {
    for (const c of value as Asn1jsBlock[]) n += countAsn1js(c);
  }
  return n;
}

/** node-forge's runtime takes an options object; its type declarations only know `strict`. */
const fromDer = forge.asn1.fromDer as unknown as (
  bytes: forge.util.ByteStringBuffer,
  options: { readonly decodeBitStrings: boolean },
) => forge.asn1.Asn1;

const binary = (bytes: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
};

const OURS_DECODE = 'ours: decodeTlv (validated, lazy nodes)';
const OURS_CURSOR = 'ours: tlvCursor walk (tag, length, children)';
const OURS_CURSOR_FULL = 'ours: tlvCursor full walk (also value)';
const OURS_CURSOR_NEXT = 'ours: tlvCursor next() walk (tag, length, depth)';
const OURS_WALK = 'ours: decodeTlv + node walk (tag, length, children)';
const OURS_FULL = 'ours: decodeTlv + node full walk (also value)';
const OURS_VALIDATE = 'ours: validateTlv only';
const PLAIN_WALK = 'floor: plain one-object-per-node decode + walk, no validation';
const PLAIN_FULL = 'floor: same + one value view per node';

interface Target {
  readonly peer: string;
  readonly corpus: 'certs' | 'records';
  readonly factor: number;
  /** Which of our rows is compared. */
  readonly ours: string;
}

const TARGETS: readonly Target[] = [
  { peer: 'node-forge asn1.fromDer', corpus: 'certs', factor: 5, ours: OURS_DECODE },
  { peer: '@lapo/asn1js ASN1.decode', corpus: 'certs', factor: 50, ours: OURS_DECODE },
  { peer: 'asn1js fromBER', corpus: 'certs', factor: 300, ours: OURS_DECODE },
  { peer: '@peculiar/asn1-schema parse(Certificate)', corpus: 'certs', factor: 300, ours: OURS_DECODE },
  { peer: '@lapo/asn1js ASN1.decode', corpus: 'records', factor: 5, ours: OURS_DECODE },
  // issue 14: a walk over every node (children, tag, length) …
  { peer: 'node-forge asn1.fromDer', corpus: 'certs', factor: 3, ours: OURS_CURSOR },
  { peer: '@lapo/asn1js ASN1.decode', corpus: 'records', factor: 3, ours: OURS_CURSOR },
  // … and the same walk making and reading every value view: no slower than the peers.
  { peer: 'node-forge asn1.fromDer', corpus: 'certs', factor: 1, ours: OURS_CURSOR_FULL },
  { peer: '@lapo/asn1js ASN1.decode', corpus: 'records', factor: 1, ours: OURS_CURSOR_FULL },
];

/** The pre-order cursor walk, and the same walks through node objects (`decodeTlv` + `children`): printed, not scored. */
const NODE_WALK_INFO: readonly Target[] = [
  { peer: 'node-forge asn1.fromDer', corpus: 'certs', factor: 3, ours: OURS_CURSOR_NEXT },
  { peer: '@lapo/asn1js ASN1.decode', corpus: 'records', factor: 3, ours: OURS_CURSOR_NEXT },
  { peer: 'node-forge asn1.fromDer', corpus: 'certs', factor: 3, ours: OURS_WALK },
  { peer: '@lapo/asn1js ASN1.decode', corpus: 'records', factor: 3, ours: OURS_WALK },
  { peer: 'node-forge asn1.fromDer', corpus: 'certs', factor: 1, ours: OURS_FULL },
  { peer: '@lapo/asn1js ASN1.decode', corpus: 'records', factor: 1, ours: OURS_FULL },
];

/** Run the TLV benchmark and print its tables. */
export async function runTlvBench(): Promise<BenchOutcome> {
  const generated = await generateJpkiShapedCertificates();
  const certs = [...generated, ...readRealCertificates()];
  const records = PEOPLE.map(textRecord);
  const sizes = certs.map((c) => c.length);
  console.log(
    `corpus: ${generated.length} generated JPKI-shaped + ${certs.length - generated.length} real certificates ` +
      `(${Math.min(...sizes)}–${Math.max(...sizes)} bytes), ${records.length} FF20 records ` +
      `(${Math.min(...records.map((r) => r.length))}–${Math.max(...records.map((r) => r.length))} bytes)`,
  );
  let ok = true;
  if (Math.min(...sizes) < 1300 || Math.max(...sizes) > 1800) {
    console.log('corpus error: certificate sizes outside 1.3–1.8 KB');
    ok = false;
  }

  // ---- sanity: every parser sees the same tree
  const certBinary = certs.map(binary);
  for (let i = 0; i < certs.length; i++) {
    const c = certs[i]!;
    walk(decodeTlv(c), true);
    const ours = lastCount;
    const cursorSum = walkCursorValues(c);
    const cursorCount = lastCount;
    if (cursorSum !== walk(decodeTlv(c), true) || cursorCount !== ours) {
      console.log(`sanity mismatch on certificate ${i}: cursor walk ${cursorCount} nodes, node walk ${ours}`);
      ok = false;
    }
    const f = countForge(fromDer(forge.util.createBuffer(certBinary[i]!), { decodeBitStrings: false }));
    const l = countLapo(ASN1.decode(c));
    const a = countAsn1js(asn1js.fromBER(c).result as unknown as Asn1jsBlock);
    const schema = AsnParser.parse(c, Certificate);
    const serialOurs = readTlvInteger(decodeTlv(c)[0]!.children[0]!.children.find((n) => n.tag === 0x02)!);
    const serialSchema = BigInt('0x' + Buffer.from(schema.tbsCertificate.serialNumber).toString('hex'));
    let plainCount = 0;
    walkPlain(plainDecode(c, 0, c.length), c, false);
    for (const stackNode of [plainDecode(c, 0, c.length)[0]!]) {
      const count = (n: PlainNode): number => 1 + n.children.reduce((sum, child) => sum + count(child), 0);
      plainCount = count(stackNode);
    }
    if (ours !== f || ours !== l || ours !== a || ours !== plainCount || serialOurs !== serialSchema) {
      console.log(`sanity mismatch on certificate ${i}: ours ${ours}, forge ${f}, lapo ${l}, asn1js ${a}, floor ${plainCount}, serial ${serialOurs} vs ${serialSchema}`);
      ok = false;
    }
  }
  for (const [i, r] of records.entries()) {
    if (walkCursorValues(r) !== walk(decodeTlv(r), true) || walkCursor(r) !== walk(decodeTlv(r), false)) {
      console.log(`sanity mismatch on record ${i}: cursor walk and node walk disagree`);
      ok = false;
    }
    const l = countLapo(ASN1.decode(r));
    const a = countAsn1js(asn1js.fromBER(r).result as unknown as Asn1jsBlock);
    if (lastCount !== 6 || l !== 6 || a !== 6) {
      console.log(`sanity mismatch on record ${i}: ours ${lastCount}, lapo ${l}, asn1js ${a} (expected 6)`);
      ok = false;
    }
  }
  let forgeRecords = 'parses';
  try {
    forge.asn1.fromDer(forge.util.createBuffer(binary(records[0]!)));
  } catch (error) {
    forgeRecords = `fails: ${(error as Error).message}`;
  }
  walk(decodeTlv(certs[0]!), true);
  console.log(`sanity: node counts agree (first certificate: ${lastCount} nodes; records: 6 nodes); node-forge on FF20 records ${forgeRecords}`);

  // ---- timing
  const perCorpus = (items: readonly Uint8Array[], fn: (bytes: Uint8Array, i: number) => number): (() => number) =>
    () => {
      let acc = 0;
      for (let i = 0; i < items.length; i++) acc += fn(items[i]!, i);
      return acc;
    };
  const certCases: BenchCase[] = [
    { name: OURS_DECODE, opsPerRun: certs.length, run: perCorpus(certs, (b) => decodeTlv(b)[0]!.length) },
    { name: OURS_CURSOR, opsPerRun: certs.length, run: perCorpus(certs, (b) => walkCursor(b)) },
    { name: OURS_CURSOR_FULL, opsPerRun: certs.length, run: perCorpus(certs, (b) => walkCursorValues(b)) },
    { name: OURS_CURSOR_NEXT, opsPerRun: certs.length, run: perCorpus(certs, (b) => walkCursorNext(b)) },
    { name: OURS_WALK, opsPerRun: certs.length, run: perCorpus(certs, (b) => walk(decodeTlv(b), false)) },
    { name: OURS_FULL, opsPerRun: certs.length, run: perCorpus(certs, (b) => walk(decodeTlv(b), true)) },
    { name: OURS_VALIDATE, opsPerRun: certs.length, run: perCorpus(certs, (b) => validateTlv(b)) },
    { name: PLAIN_WALK, opsPerRun: certs.length, run: perCorpus(certs, (b) => walkPlain(plainDecode(b, 0, b.length), b, false)) },
    { name: PLAIN_FULL, opsPerRun: certs.length, run: perCorpus(certs, (b) => walkPlain(plainDecode(b, 0, b.length), b, true)) },
    {
      name: 'node-forge asn1.fromDer',
      opsPerRun: certs.length,
      run: perCorpus(certs, (_, i) =>
        fromDer(forge.util.createBuffer(certBinary[i]!), { decodeBitStrings: false }).type),
    },
    { name: '@lapo/asn1js ASN1.decode', opsPerRun: certs.length, run: perCorpus(certs, (b) => ASN1.decode(b).length) },
    { name: 'asn1js fromBER', opsPerRun: certs.length, run: perCorpus(certs, (b) => asn1js.fromBER(b).offset) },
    {
      name: '@peculiar/asn1-schema parse(Certificate)',
      opsPerRun: certs.length,
      run: perCorpus(certs, (b) => AsnParser.parse(b, Certificate).signatureValue.byteLength),
    },
  ];
  const recordCases: BenchCase[] = [
    { name: OURS_DECODE, opsPerRun: records.length, run: perCorpus(records, (b) => decodeTlv(b)[0]!.length) },
    { name: OURS_CURSOR, opsPerRun: records.length, run: perCorpus(records, (b) => walkCursor(b)) },
    { name: OURS_CURSOR_FULL, opsPerRun: records.length, run: perCorpus(records, (b) => walkCursorValues(b)) },
    { name: OURS_CURSOR_NEXT, opsPerRun: records.length, run: perCorpus(records, (b) => walkCursorNext(b)) },
    { name: OURS_WALK, opsPerRun: records.length, run: perCorpus(records, (b) => walk(decodeTlv(b), false)) },
    { name: OURS_FULL, opsPerRun: records.length, run: perCorpus(records, (b) => walk(decodeTlv(b), true)) },
    { name: OURS_VALIDATE, opsPerRun: records.length, run: perCorpus(records, (b) => validateTlv(b)) },
    { name: PLAIN_WALK, opsPerRun: records.length, run: perCorpus(records, (b) => walkPlain(plainDecode(b, 0, b.length), b, false)) },
    { name: PLAIN_FULL, opsPerRun: records.length, run: perCorpus(records, (b) => walkPlain(plainDecode(b, 0, b.length), b, true)) },
    { name: '@lapo/asn1js ASN1.decode', opsPerRun: records.length, run: perCorpus(records, (b) => ASN1.decode(b).length) },
    { name: 'asn1js fromBER', opsPerRun: records.length, run: perCorpus(records, (b) => asn1js.fromBER(b).offset) },
  ];
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 5);
  const minRoundMs = Number(process.env['BENCH_MIN_MS'] ?? 300);
  const certTimes = measure(certCases, { rounds, minRoundMs });
  const recordTimes = measure(recordCases, { rounds, minRoundMs });

  const fmt = (us: number | undefined): string => (us === undefined ? 'n/a' : us < 10 ? us.toFixed(3) : us.toFixed(1));
  const ratio = (peer: number | undefined, ours: number | undefined): string =>
    peer === undefined || ours === undefined ? 'n/a' : `${(peer / ours).toFixed(1)}x`;
  const names = [...new Set([...certCases.map((c) => c.name), ...recordCases.map((c) => c.name)])];
  const rows: string[][] = [];
  for (const parser of names) {
    const peerRow = !parser.startsWith('ours');
    rows.push([
      parser,
      fmt(certTimes.get(parser)),
      parser === 'node-forge asn1.fromDer' ? 'cannot parse' : fmt(recordTimes.get(parser)),
      peerRow ? ratio(certTimes.get(parser), certTimes.get(OURS_DECODE)) : '',
      peerRow ? ratio(recordTimes.get(parser), recordTimes.get(OURS_DECODE)) : '',
      peerRow ? ratio(certTimes.get(parser), certTimes.get(OURS_CURSOR)) : '',
      peerRow ? ratio(recordTimes.get(parser), recordTimes.get(OURS_CURSOR)) : '',
      peerRow ? ratio(certTimes.get(parser), certTimes.get(OURS_CURSOR_FULL)) : '',
      peerRow ? ratio(recordTimes.get(parser), recordTimes.get(OURS_CURSOR_FULL)) : '',
      peerRow ? ratio(certTimes.get(parser), certTimes.get(OURS_WALK)) : '',
      peerRow ? ratio(recordTimes.get(parser), recordTimes.get(OURS_WALK)) : '',
      peerRow ? ratio(certTimes.get(parser), certTimes.get(OURS_FULL)) : '',
      peerRow ? ratio(recordTimes.get(parser), recordTimes.get(OURS_FULL)) : '',
      peerRow ? ratio(certTimes.get(parser), certTimes.get(OURS_VALIDATE)) : '',
    ]);
  }
  console.log(`\nmedian of ${rounds} rounds, each >= ${minRoundMs} ms CPU; µs per certificate / per record; ratio = peer time / ours`);
  console.log(
    formatTable(
      [
        'parser', 'cert µs', 'record µs', 'cert ×decode', 'rec ×decode',
        'cert ×cursor', 'rec ×cursor', 'cert ×cursor+value', 'rec ×cursor+value',
        'cert ×nodes', 'rec ×nodes', 'cert ×nodes+value', 'rec ×nodes+value', 'cert ×validate',
      ],
      rows,
    ),
  );
  const forgeCert = certTimes.get('node-forge asn1.fromDer');
  const lapoRecord = recordTimes.get('@lapo/asn1js ASN1.decode');
  console.log(
    `\nfloor (one object per node, no validation) vs node-forge on certificates: walk ${ratio(forgeCert, certTimes.get(PLAIN_WALK))}, ` +
      `walk+value ${ratio(forgeCert, certTimes.get(PLAIN_FULL))}; vs @lapo on records: walk ${ratio(lapoRecord, recordTimes.get(PLAIN_WALK))}, ` +
      `walk+value ${ratio(lapoRecord, recordTimes.get(PLAIN_FULL))}`,
  );
  const targetRow = (t: Target, scored: boolean): string[] => {
    const times = t.corpus === 'certs' ? certTimes : recordTimes;
    const peer = times.get(t.peer);
    const ours = times.get(t.ours);
    const pass = peer !== undefined && ours !== undefined && peer / ours >= t.factor;
    if (scored && !pass) ok = false;
    return [`${t.ours.replace('ours: ', '')} vs ${t.peer}`, t.corpus, ratio(peer, ours), `>=${t.factor}x`, scored ? (pass ? 'PASS' : 'FAIL') : pass ? '(met)' : '(not met)'];
  };
  console.log('\n' + formatTable(['target', 'corpus', 'ratio', 'target', 'result'], TARGETS.map((t) => targetRow(t, true))));
  console.log('\nthe next() walk, and the same walks through node objects (information, not scored):');
  console.log(formatTable(['walk', 'corpus', 'ratio', 'target', 'result'], NODE_WALK_INFO.map((t) => targetRow(t, false))));
  return { name: 'tlv', passed: ok };
}
