import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import {
  decodeTlv,
  findTlv,
  findTlvPath,
  readTlvBitString,
  readTlvBoolean,
  readTlvHeader,
  readTlvInteger,
  readTlvOid,
  readTlvString,
  readTlvTime,
  type TlvNode,
} from '../../src/tlv/index.js';

const vector = (file: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../vectors/certs/${file}`, import.meta.url)));

const AUTH_2019 = 'real-auth-leaf-2019-issued-by-authca01__my-number-myna.der';
const SIGN_SYNTHETIC = 'synthetic-sign-leaf-fake-jlis-issuer__mynawallet-dummy_secret_cert.der';

/** `[oid, tag, text]` of each attribute of a Name (one attribute per RDN). */
function rdns(name: TlvNode): [string, number, string][] {
  return name.children.map((set) => {
    const [type, value] = set.children[0]!.children;
    return [readTlvOid(type!), value!.tag, readTlvString(value!)];
  });
}

/** Every string in a subtree, in document order (iterative walk). */
function strings(root: TlvNode): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if ([0x0c, 0x13, 0x16].includes(n.tag)) out.push(readTlvString(n));
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

/** Extensions as `{ oid, critical, value }` with `value` decoded from the OCTET STRING. */
function extensions(tbs: TlvNode): { oid: string; critical: boolean; value: TlvNode }[] {
  const list = findTlvPath(tbs, [0xa3, 0x30])!;
  return list.children.map((ext) => {
    const [id, second, third] = ext.children;
    const critical = second!.tag === 0x01 ? readTlvBoolean(second!) : false;
    const octets = second!.tag === 0x01 ? third! : second!;
    return { oid: readTlvOid(id!), critical, value: decodeTlv(octets.value)[0]! };
  });
}

describe('a real JPKI auth certificate (2019, issued by authca01)', () => {
  const bytes = vector(AUTH_2019);
  const [cert, ...rest] = decodeTlv(bytes);
  const [tbs, sigAlg, signature] = cert!.children;
  const tbsParts = tbs!.children;

  it('is the expected vector and decodes as one DER object', () => {
    expect(createHash('sha256').update(bytes).digest('hex')).toBe('449ef3f93be0c5425330af2b41c63769190aa75a713223d96839f6537104007e');
    expect(rest).toEqual([]);
    expect([cert!.tag, cert!.headerLength, cert!.length, cert!.totalLength]).toEqual([0x30, 4, 1569, 1573]);
    expect(readTlvHeader(bytes.subarray(0, 4)).totalLength).toBe(1573);
    expect(cert!.children.map((n) => n.tag)).toEqual([0x30, 0x30, 0x03]);
    expect(tbsParts.map((n) => n.tag)).toEqual([0xa0, 0x02, 0x30, 0x30, 0x30, 0x30, 0x30, 0xa3]);
    // The signed part as a view: what a verifier hashes.
    expect(tbs!.offset).toBe(4);
    expect(tbs!.encoded.byteOffset).toBe(4);
    expect(tbs!.encoded.length).toBe(tbs!.totalLength);
    expect(tbs!.encoded.buffer).toBe(bytes.buffer);
  });

  it('has version 3, the serial, the signature algorithm and validity', () => {
    expect(readTlvInteger(tbsParts[0]!.children[0]!)).toBe(2n);
    expect(readTlvInteger(tbsParts[1]!)).toBe(0x012d57can);
    expect(readTlvOid(tbsParts[2]!.children[0]!)).toBe('1.2.840.113549.1.1.11');
    expect(readTlvOid(sigAlg!.children[0]!)).toBe('1.2.840.113549.1.1.11');
    const [notBefore, notAfter] = tbsParts[4]!.children;
    expect(notBefore!.tag).toBe(0x17);
    expect(readTlvTime(notBefore!).toISOString()).toBe('2019-07-25T15:28:06.000Z');
    expect(readTlvTime(notAfter!).toISOString()).toBe('2024-05-02T14:59:59.000Z');
  });

  it('has the J-LIS issuer and the opaque auth subject with their string types', () => {
    expect(rdns(tbsParts[3]!)).toEqual([
      ['2.5.4.6', 0x13, 'JP'],
      ['2.5.4.10', 0x0c, 'JPKI'],
      ['2.5.4.11', 0x0c, 'JPKI for user authentication'],
      ['2.5.4.11', 0x0c, 'Japan Agency for Local Authority Information Systems'],
    ]);
    expect(rdns(tbsParts[5]!)).toEqual([
      ['2.5.4.6', 0x13, 'JP'],
      ['2.5.4.3', 0x0c, '840444E37PAFHN08220003A'],
    ]);
  });

  it('has an RSA-2048 key with exponent 65537 and a 256-byte signature', () => {
    const [alg, key] = tbsParts[6]!.children;
    expect(readTlvOid(alg!.children[0]!)).toBe('1.2.840.113549.1.1.1');
    const keyBits = readTlvBitString(key!);
    expect(keyBits.unusedBits).toBe(0);
    const [modulus, exponent] = decodeTlv(keyBits.bytes)[0]!.children;
    expect(modulus!.length).toBe(257);
    expect(readTlvInteger(modulus!) >> 2040n).toBeGreaterThan(0n);
    expect(readTlvInteger(exponent!)).toBe(65537n);
    const sig = readTlvBitString(signature!);
    expect([sig.unusedBits, sig.bytes.length]).toEqual([0, 256]);
  });

  it('has the extensions of an auth leaf (cert-profile §2)', () => {
    const exts = extensions(tbs!);
    expect(exts.map((e) => [e.oid, e.critical])).toEqual([
      ['2.5.29.15', true], ['2.5.29.37', false], ['2.5.29.32', true], ['2.5.29.18', false],
      ['2.5.29.31', false], ['1.3.6.1.5.5.7.1.1', false], ['2.5.29.35', false], ['2.5.29.14', false],
    ]);
    const byOid = new Map(exts.map((e) => [e.oid, e.value]));
    const keyUsage = readTlvBitString(byOid.get('2.5.29.15')!);
    expect([keyUsage.unusedBits, [...keyUsage.bytes]]).toEqual([7, [0x80]]);
    expect(toHex(byOid.get('2.5.29.15')!.encoded)).toBe('03020780');
    expect(readTlvOid(byOid.get('2.5.29.37')!.children[0]!)).toBe('1.3.6.1.5.5.7.3.2');
    const policy = byOid.get('2.5.29.32')!.children[0]!;
    expect(readTlvOid(policy.children[0]!)).toBe('1.2.392.200149.8.5.1.3.30');
    expect(strings(policy)).toEqual(['http://www.jpki.go.jp/cps.html']);
    expect(strings(byOid.get('2.5.29.18')!)).toEqual(['JP', '公的個人認証サービス', '公的個人認証サービス利用者証明用', '地方公共団体情報システム機構']);
    expect(strings(byOid.get('2.5.29.31')!)).toEqual([
      'JP', 'JPKI', 'JPKI for user authentication', 'CRL Distribution Points', 'Ibaraki-ken', 'Tsukuba-shi CRLDP',
    ]);
    const ocsp = byOid.get('1.3.6.1.5.5.7.1.1')!.children[0]!;
    expect(readTlvOid(ocsp.children[0]!)).toBe('1.3.6.1.5.5.7.48.1');
    expect(ocsp.children[1]!.tag).toBe(0x86);
    expect(readTlvString(ocsp.children[1]!, 0x16)).toBe('http://ocspauthnorm.jpki.go.jp');
    const aki = byOid.get('2.5.29.35')!;
    expect(toHex(findTlv(aki, 0x80)!.value)).toBe('9567951b5ca70d84a0fff1d85a87f1aab1340385');
    expect(readTlvInteger(findTlv(aki, 0x82)!, 0x82)).toBe(1n);
    expect(toHex(byOid.get('2.5.29.14')!.value)).toBe('77f6c4d716d8cde22a27eed3d3af496e1fb0eff5');
  });
});

describe('the synthetic sign certificate (MynaWallet dummy): JPKI SAN otherNames', () => {
  it('reads the six [0] EXPLICIT UTF8String values by OID, in certificate order', () => {
    const [cert] = decodeTlv(vector(SIGN_SYNTHETIC));
    const tbs = cert!.children[0]!;
    const san = extensions(tbs).find((e) => e.oid === '2.5.29.17')!.value;
    const names = san.children.map((otherName) => {
      expect(otherName.tag).toBe(0xa0);
      const [typeId, explicit] = otherName.children;
      expect(explicit!.tag).toBe(0xa0);
      const inner = explicit!.children[0]!;
      expect(inner.tag).toBe(0x0c);
      return [readTlvOid(typeId!), readTlvString(inner)];
    });
    expect(names).toEqual([
      ['1.2.392.200149.8.5.5.1', 'なかもと　さとし'],
      ['1.2.392.200149.8.5.5.4', '420081031'],
      ['1.2.392.200149.8.5.5.3', '1'],
      ['1.2.392.200149.8.5.5.5', '東京都港区芝公園４丁目２番地８'],
      ['1.2.392.200149.8.5.5.2', '0000'],
      ['1.2.392.200149.8.5.5.6', '0'.repeat(41)],
    ]);
    expect(readTlvInteger(tbs.children[1]!)).toBe(1n);
  });
});

describe('every stored certificate', () => {
  const expected: [string, number, bigint][] = [
    [AUTH_2019, 1573, 0x12d57can],
    ['real-auth-leaf-2020-issued-by-authca02__mynawallet-myna_cert.der', 1586, 0x18c453en],
    ['real-auth-leaf-2020-issued-by-authca02__siketyan-keychain.der', 1572, 0x1b2b041n],
    ['real-auth-leaf-2023-issued-by-authca02__mynawallet-myna_new_cert.der', 1586, 0x6bfc341n],
    [SIGN_SYNTHETIC, 1764, 1n],
    ['jlis-jpki-auth-root-gen2-2019-authca02.der', 1319, 0x133c349n],
  ];

  it('decodes in DER with its size and serial', () => {
    for (const [file, size, serial] of expected) {
      const bytes = vector(file);
      const [cert] = decodeTlv(bytes);
      expect([file, cert!.totalLength]).toEqual([file, size]);
      expect(readTlvInteger(cert!.children[0]!.children[1]!)).toBe(serial);
    }
  });

  it('decodes with filler after it only with allowTrailing (a whole EF read)', () => {
    const cert = vector(AUTH_2019);
    const ef = new Uint8Array(cert.length + 300).fill(0xff);
    ef.set(cert);
    expect(() => decodeTlv(ef)).toThrowError(/trailing-bytes at offset 1573/);
    expect(decodeTlv(ef, { allowTrailing: true }).map((n) => n.totalLength)).toEqual([1573]);
  });
});
