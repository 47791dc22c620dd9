/**
 * Benchmark corpus for the TLV decoder, built in-process: JPKI-shaped signature certificates
 * (RSA-2048, a SAN of six Japanese otherNames, policies, IAN and CRLDP directory names, AKI with
 * issuer and serial, as in cert-profile §2–§3) generated with @peculiar/x509 and WebCrypto, the
 * real auth certificates kept in test/vectors/certs/, and 4-attribute `FF20` text records
 * (card-facts §3.2, EF 0002) built with the project's encoder. All personal data is synthetic.
 * @packageDocumentation
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as x509 from '@peculiar/x509';
import { encodeTlv } from '../src/tlv/index.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** DER content bytes of a dotted OID. */
function oidContent(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (value: number): void => {
    const tmp = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) tmp.unshift((v & 0x7f) | 0x80);
    out.push(...tmp);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return Uint8Array.from(out);
}

const oid = (dotted: string): Uint8Array => encodeTlv(0x06, oidContent(dotted));
const seq = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => encodeTlv(0x30, parts);
const utf8String = (text: string): Uint8Array => encodeTlv(0x0c, utf8(text));
const printable = (text: string): Uint8Array => encodeTlv(0x13, utf8(text));

type Rdn = readonly [type: string, value: Uint8Array];
/** A Name: each attribute in its own RDN SET, as J-LIS certificates do. */
const name = (...rdns: readonly Rdn[]): Uint8Array<ArrayBuffer> =>
  seq(...rdns.map(([type, value]) => encodeTlv(0x31, seq(oid(type), value))));

const C = '2.5.4.6';
const O = '2.5.4.10';
const OU = '2.5.4.11';
const L = '2.5.4.7';
const CN = '2.5.4.3';

const ISSUER = name(
  [C, printable('JP')],
  [O, utf8String('JPKI')],
  [OU, utf8String('JPKI for digital signature')],
  [OU, utf8String('Japan Agency for Local Authority Information Systems')],
);

interface Person {
  readonly name: string;
  readonly address: string;
  readonly dob: string; // era digit + YYYYMMDD (cert-profile §3, 5.5.4)
  readonly sex: string;
  readonly prefecture: string;
  readonly municipality: string;
}

/** Synthetic holders (government office addresses, invented names). */
export const PEOPLE: readonly Person[] = [
  { name: '山田　太郎', address: '東京都千代田区霞が関２丁目１番２号', dob: '319750401', sex: '1', prefecture: 'Tokyo-to', municipality: 'Chiyoda-ku' },
  { name: '佐藤　花子', address: '北海道札幌市中央区北一条西２丁目１番地', dob: '419900215', sex: '2', prefecture: 'Hokkaido', municipality: 'Sapporo-shi-Chuo-ku' },
  { name: '鈴木　一郎', address: '大阪府大阪市北区中之島１丁目３番２０号', dob: '319601130', sex: '1', prefecture: 'Osaka-fu', municipality: 'Osaka-shi-Kita-ku' },
  { name: '高橋　美咲', address: '神奈川県横浜市中区日本大通１番地', dob: '520200505', sex: '2', prefecture: 'Kanagawa-ken', municipality: 'Yokohama-shi-Naka-ku' },
  { name: '田中　健太', address: '愛知県名古屋市中区三の丸３丁目１番１号', dob: '419950720', sex: '1', prefecture: 'Aichi-ken', municipality: 'Nagoya-shi-Naka-ku' },
  { name: '伊藤　さくら', address: '福岡県福岡市中央区天神１丁目８番１号', dob: '320000101', sex: '2', prefecture: 'Fukuoka-ken', municipality: 'Fukuoka-shi-Chuo-ku' },
  { name: '渡辺　翔太', address: '京都府京都市上京区下立売通新町西入薮ノ内町', dob: '419880909', sex: '1', prefecture: 'Kyoto-fu', municipality: 'Kyoto-shi-Kamigyo-ku' },
  { name: '中村　由美子', address: '沖縄県那覇市泉崎１丁目２番２号', dob: '319451231', sex: '2', prefecture: 'Okinawa-ken', municipality: 'Naha-shi' },
];

const JPKI_SAN = '1.2.392.200149.8.5.5';
/** `[0] { type-id, [0] EXPLICIT UTF8String }` (cert-profile §3). */
const otherName = (arc: number, text: string): Uint8Array =>
  encodeTlv(0xa0, [oid(`${JPKI_SAN}.${arc}`), encodeTlv(0xa0, utf8String(text))]);
const flags = (text: string): string => '0'.repeat([...text].length);

function extensions(person: Person, keyId: Uint8Array): x509.Extension[] {
  const san = seq(
    otherName(1, person.name),
    otherName(4, person.dob),
    otherName(3, person.sex),
    otherName(5, person.address),
    otherName(2, flags(person.name)),
    otherName(6, flags(person.address)),
  );
  const policies = seq(
    seq(oid('1.2.392.200149.8.5.1.1.20'), seq(seq(oid('1.3.6.1.5.5.7.2.1'), encodeTlv(0x16, utf8('http://www.jpki.go.jp/cps.html'))))),
  );
  const ian = seq(
    encodeTlv(0xa4, name(
      [C, printable('JP')],
      [O, utf8String('公的個人認証サービス')],
      [OU, utf8String('公的個人認証サービス署名用')],
      [OU, utf8String('地方公共団体情報システム機構')],
    )),
  );
  const crldp = seq(
    seq(encodeTlv(0xa0, encodeTlv(0xa0, encodeTlv(0xa4, name(
      [C, printable('JP')],
      [O, utf8String('JPKI')],
      [OU, utf8String('JPKI for digital signature')],
      [OU, utf8String('CRL Distribution Points')],
      [OU, utf8String(person.prefecture)],
      [CN, utf8String(`${person.municipality} CRLDP`)],
    ))))),
  );
  const aki = seq(encodeTlv(0x80, keyId), encodeTlv(0xa1, encodeTlv(0xa4, ISSUER)), encodeTlv(0x82, Uint8Array.of(0x01, 0x32, 0xc4, 0xab)));
  const ext = (type: string, critical: boolean, value: Uint8Array<ArrayBuffer>): x509.Extension =>
    new x509.Extension(type, critical, value);
  return [
    ext('2.5.29.15', true, Uint8Array.of(0x03, 0x02, 0x06, 0xc0)),
    ext('2.5.29.17', false, san),
    ext('2.5.29.32', true, policies),
    ext('2.5.29.18', false, ian),
    ext('2.5.29.31', false, crldp),
    ext('2.5.29.35', false, aki),
    ext('2.5.29.14', false, encodeTlv(0x04, keyId)),
  ];
}

const RSA: RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: Uint8Array.of(1, 0, 1),
  hash: 'SHA-256',
};

/** Generate the JPKI-shaped certificates (two RSA-2048 key pairs: issuer and holder). */
export async function generateJpkiShapedCertificates(): Promise<Uint8Array[]> {
  x509.cryptoProvider.set(globalThis.crypto);
  const issuerKeys = await crypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const holderKeys = await crypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const out: Uint8Array[] = [];
  for (let i = 0; i < PEOPLE.length; i++) {
    const person = PEOPLE[i]!;
    const keyId = new Uint8Array(20).map((_, j) => (j * 37 + i * 11) & 0xff);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (0x0132c4b0 + i).toString(16),
      subject: new x509.Name(name(
        [C, printable('JP')],
        [L, utf8String(person.prefecture)],
        [L, utf8String(person.municipality)],
        [CN, utf8String(`2024040112000${i}${String(10000 + i)}ABCDE1234`.slice(0, 28))],
      )),
      issuer: new x509.Name(ISSUER),
      notBefore: new Date(Date.UTC(2024, 3, 1, 3, 0, 0)),
      notAfter: new Date(Date.UTC(2029, 3, 1, 14, 59, 59)),
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm,
      publicKey: holderKeys.publicKey,
      signingKey: issuerKeys.privateKey,
      extensions: extensions(person, keyId),
    });
    out.push(new Uint8Array(cert.rawData));
  }
  return out;
}

/** The real J-LIS auth leaf certificates copied into test/vectors/certs/. */
export const REAL_CERT_FILES = [
  'real-auth-leaf-2019-issued-by-authca01__my-number-myna.der',
  'real-auth-leaf-2020-issued-by-authca02__mynawallet-myna_cert.der',
  'real-auth-leaf-2020-issued-by-authca02__siketyan-keychain.der',
  'real-auth-leaf-2023-issued-by-authca02__mynawallet-myna_new_cert.der',
] as const;

/** Read the real certificates from test/vectors/certs/. */
export function readRealCertificates(): Uint8Array[] {
  return REAL_CERT_FILES.map(
    (file) => new Uint8Array(readFileSync(fileURLToPath(new URL(`../test/vectors/certs/${file}`, import.meta.url)))),
  );
}

/**
 * A 基本4情報 record: `FF20 { DF21 offsets, DF22 name, DF23 address, DF24 YYYYMMDD, DF25 sex }`,
 * the DF21 table holding the file offset of each DF22..DF25 tag (card-facts §3.2).
 */
export function textRecord(person: Person): Uint8Array {
  const parts = [
    encodeTlv(0xdf22, utf8(person.name)),
    encodeTlv(0xdf23, utf8(person.address)),
    encodeTlv(0xdf24, utf8(person.dob.slice(1))),
    encodeTlv(0xdf25, utf8(person.sex)),
  ];
  const contentLength = 11 + parts.reduce((n, p) => n + p.length, 0);
  const header = contentLength < 0x80 ? 3 : 4; // FF 20 + one or two length bytes
  const offsets = new Uint8Array(8);
  let at = header + 11;
  parts.forEach((p, i) => {
    offsets[2 * i] = at >> 8;
    offsets[2 * i + 1] = at & 0xff;
    at += p.length;
  });
  return encodeTlv(0xff20, [encodeTlv(0xdf21, offsets), ...parts]);
}
