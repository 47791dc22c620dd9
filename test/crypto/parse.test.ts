import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, OtherName, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { concatBytes, toHex } from '../../src/bytes.js';
import { CryptoError } from '../../src/errors.js';
import { JPKI_ROOTS } from '../../src/crypto/jpki-roots.js';
import { parseJpkiCertificate } from '../../src/crypto/parse.js';
import { decodeJpkiBirthDate, decodeJpkiPerson, JPKI_PERSON_OID } from '../../src/crypto/san.js';
import { loadTestPki, type TestPki } from '../../src/testing/pki.js';
import { ext, freshKeys, issue, OIDS, REAL, ROOT_FILES, vector } from './helpers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    return (error as CryptoError).code;
  }
  return undefined;
}

describe('parseJpkiCertificate on real certificates', () => {
  it('decodes the real 2019 auth leaf exactly', () => {
    const c = parseJpkiCertificate(vector(REAL.auth2019));
    expect(c.kind).toBe('auth');
    expect(c.serialNumber).toBe('012D57CA');
    expect(c.subject.text).toBe('C=JP, CN=840444E37PAFHN08220003A');
    expect(c.subject.attributes).toEqual([
      { oid: '2.5.4.6', type: 'C', value: 'JP' },
      { oid: '2.5.4.3', type: 'CN', value: '840444E37PAFHN08220003A' },
    ]);
    expect(c.issuer.text).toBe(
      'C=JP, O=JPKI, OU=JPKI for user authentication, OU=Japan Agency for Local Authority Information Systems',
    );
    expect(c.notBefore.toISOString()).toBe('2019-07-25T15:28:06.000Z');
    expect(c.notAfter.toISOString()).toBe('2024-05-02T14:59:59.000Z');
    expect(c.keyUsage).toEqual(['digitalSignature']);
    expect(c.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(c.policies).toEqual(['1.2.392.200149.8.5.1.3.30']);
    expect(c.ocspUrl).toBe('http://ocspauthnorm.jpki.go.jp');
    expect(c.municipality).toEqual({ prefecture: 'Ibaraki-ken', municipality: 'Tsukuba-shi' });
    expect(c.authorityKeyIdentifier).toEqual({ keyIdentifier: '9567951b5ca70d84a0fff1d85a87f1aab1340385', serialNumber: '01' });
    expect(c.subjectKeyIdentifier).toBe('77f6c4d716d8cde22a27eed3d3af496e1fb0eff5');
    expect(c.criticalExtensions).toEqual(['2.5.29.15', '2.5.29.32']);
    expect(c.signatureAlgorithm).toEqual({ oid: '1.2.840.113549.1.1.11', hash: 'SHA-256' });
    expect(c.publicKey).toMatchObject({ algorithm: 'RSA', modulusBits: 2048 });
    expect(toHex((c.publicKey as { exponent: Uint8Array }).exponent)).toBe('010001');
    expect(c.person).toBeUndefined();
    expect(c.basicConstraints).toBeUndefined();
    expect(c.der).toEqual(vector(REAL.auth2019));
  });

  it('reads the municipality of every real auth leaf from its CRLDP DirName', () => {
    expect(parseJpkiCertificate(vector(REAL.auth2020mw)).municipality).toEqual({
      prefecture: 'Kanagawa-ken',
      municipality: 'Yokohama-shi-Naka-ku',
    });
    expect(parseJpkiCertificate(vector(REAL.auth2020sk)).municipality).toEqual({
      prefecture: 'Aichi-ken',
      municipality: 'Konan-shi',
    });
    expect(parseJpkiCertificate(vector(REAL.auth2023))).toMatchObject({
      serialNumber: '06BFC341',
      authorityKeyIdentifier: { keyIdentifier: '8cd5586a891485e559379b7e29d410cfd28b3593', serialNumber: '0133C349' },
    });
  });

  it('decodes the six J-LIS roots as CAs matching the bundled metadata', () => {
    for (const root of JPKI_ROOTS) {
      const file = ROOT_FILES[root.name];
      const c = parseJpkiCertificate(vector(file));
      expect(c.kind).toBe('ca');
      expect(c.serialNumber).toBe(root.serialNumber);
      expect(c.subjectKeyIdentifier).toBe(root.subjectKeyIdentifier);
      expect(c.notAfter.toISOString()).toBe(root.notAfter.replace('Z', '.000Z'));
      expect(c.basicConstraints).toEqual({ ca: true });
      expect(c.keyUsage).toEqual(['keyCertSign', 'crlSign']);
      expect(c.municipality).toBeUndefined();
      expect(c.person).toBeUndefined();
    }
  });

  it('decodes the look-alike sign leaf SAN by OID (its order is 5.5.1, 4, 3, 5, 2, 6)', () => {
    const c = parseJpkiCertificate(vector(REAL.lookalike));
    expect(c.kind).toBe('sign');
    expect(c.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(c.municipality).toEqual({ prefecture: 'Tokyo-to', municipality: 'Shibuya-ku' });
    expect(c.ocspUrl).toBeUndefined();
    expect(c.person).toEqual({
      name: 'なかもと　さとし',
      nameSubstitutionFlags: '0000',
      birthDate: { era: 'heisei', eraCode: '4', date: '2008-10-31', eraConsistent: true },
      sex: '1',
      address: '東京都港区芝公園４丁目２番地８',
      addressSubstitutionFlags: '0'.repeat(41),
      substitutionFlagsConsistent: false,
    });
  });

  it('decodes the legacy BridgeCA root (sha1WithRSA)', () => {
    const c = parseJpkiCertificate(vector(REAL.bridgeCa));
    expect(c.kind).toBe('ca');
    expect(c.signatureAlgorithm).toEqual({ oid: '1.2.840.113549.1.1.5', hash: 'SHA-1' });
  });
});

describe('parseJpkiCertificate on the test PKI', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await loadTestPki();
  });

  it('returns the holder of the test sign leaf', () => {
    const c = parseJpkiCertificate(pki.signLeaf.certificate);
    const holder = pki.holder;
    expect(c.kind).toBe('sign');
    expect(c.person).toEqual({
      name: holder.name,
      nameSubstitutionFlags: '0'.repeat([...holder.name].length),
      birthDate: { era: 'heisei', eraCode: '4', date: holder.birthDate, eraConsistent: true },
      sex: holder.sex,
      address: holder.address,
      addressSubstitutionFlags: '0'.repeat([...holder.address].length),
      substitutionFlagsConsistent: true,
    });
    expect(c.municipality).toEqual({ prefecture: pki.prefecture, municipality: pki.municipality });
    expect(c.subject.attributes.map((a) => a.type)).toEqual(['C', 'L', 'L', 'CN']);
  });

  it('classifies the test auth leaf and roots', () => {
    expect(parseJpkiCertificate(pki.authLeaf.certificate).kind).toBe('auth');
    expect(parseJpkiCertificate(pki.authRoot.certificate).kind).toBe('ca');
    expect(parseJpkiCertificate(pki.signRoot.certificate).kind).toBe('ca');
  });
});

describe('JPKI SAN decoding', () => {
  const all: [string, string][] = [
    [JPKI_PERSON_OID.name, '由利　花子'],
    [JPKI_PERSON_OID.birthDate, '419900102'],
    [JPKI_PERSON_OID.sex, '2'],
    [JPKI_PERSON_OID.address, '秋田県由利本荘市'],
    [JPKI_PERSON_OID.nameSubstitutionFlags, '00000'],
    [JPKI_PERSON_OID.addressSubstitutionFlags, '01000000'],
  ];
  const utf8 = new TextEncoder();

  function otherName(oid: string, value: string, tag = 0x0c): GeneralName {
    const bytes = utf8.encode(value);
    return new GeneralName({
      otherName: new OtherName({ typeId: oid, value: Uint8Array.from([tag, bytes.length, ...bytes]).buffer }),
    });
  }
  const san = (names: GeneralName[]): Uint8Array => new Uint8Array(AsnConvert.serialize(new SubjectAlternativeName(names)));

  it('decodes by OID whatever the order, ignoring other names', () => {
    const expected = decodeJpkiPerson(san(all.map(([o, v]) => otherName(o, v))));
    const shuffled = [...all].reverse().map(([o, v]) => otherName(o, v));
    shuffled.splice(2, 0, new GeneralName({ dNSName: 'example.jp' }), otherName('1.2.3.4', 'other'));
    expect(decodeJpkiPerson(san(shuffled))).toEqual(expected);
    expect(expected).toEqual({
      name: '由利　花子',
      nameSubstitutionFlags: '00000',
      birthDate: { era: 'heisei', eraCode: '4', date: '1990-01-02', eraConsistent: true },
      sex: '2',
      address: '秋田県由利本荘市',
      addressSubstitutionFlags: '01000000',
      substitutionFlagsConsistent: true,
    });
  });

  it('returns undefined when no JPKI otherName is present', () => {
    expect(decodeJpkiPerson(san([new GeneralName({ dNSName: 'example.jp' })]))).toBeUndefined();
  });

  it('rejects a missing, repeated or non-UTF8String value with malformed-san and no personal data', () => {
    const cases = [
      all.slice(1).map(([o, v]) => otherName(o, v)),
      [...all, all[0]!].map(([o, v]) => otherName(o, v)),
      all.map(([o, v], i) => otherName(o, v, i === 0 ? 0x13 : 0x0c)),
    ];
    for (const names of cases) {
      let error: unknown;
      try {
        decodeJpkiPerson(san(names));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CryptoError);
      expect((error as CryptoError).code).toBe('malformed-san');
      expect((error as Error).message).not.toContain('由利');
    }
    expect(codeOf(() => decodeJpkiPerson(Uint8Array.of(0x30, 0x05, 0x00)))).toBe('malformed-san');
  });

  it('property: any byte flip of a valid SAN decodes or fails with malformed-san only', () => {
    const valid = san(all.map(([o, v]) => otherName(o, v)));
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const mutated = valid.slice();
        mutated[at] = mutated[at]! ^ xor;
        const code = codeOf(() => decodeJpkiPerson(mutated));
        expect(code === undefined || code === 'malformed-san').toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a bad sex code and bad flag characters', () => {
    const withValue = (oid: string, value: string): Uint8Array =>
      san(all.map(([o, v]) => otherName(o, o === oid ? value : v)));
    expect(codeOf(() => decodeJpkiPerson(withValue(JPKI_PERSON_OID.sex, '12')))).toBe('malformed-san');
    expect(codeOf(() => decodeJpkiPerson(withValue(JPKI_PERSON_OID.nameSubstitutionFlags, '0x000')))).toBe('malformed-san');
    expect(decodeJpkiPerson(withValue(JPKI_PERSON_OID.nameSubstitutionFlags, '0000'))?.substitutionFlagsConsistent).toBe(false);
  });
});

describe('decodeJpkiBirthDate', () => {
  const cases: [string, string, string, boolean][] = [
    ['419900102', 'heisei', '1990-01-02', true],
    ['319900102', 'showa', '1990-01-02', false],
    ['319890107', 'showa', '1989-01-07', true],
    ['419890107', 'heisei', '1989-01-07', false],
    ['419890108', 'heisei', '1989-01-08', true],
    ['420190430', 'heisei', '2019-04-30', true],
    ['520190430', 'reiwa', '2019-04-30', false],
    ['520190501', 'reiwa', '2019-05-01', true],
    ['119120730', 'meiji', '1912-07-30', true],
    ['219120730', 'taisho', '1912-07-30', true],
    ['219120729', 'taisho', '1912-07-29', false],
    ['219261225', 'taisho', '1926-12-25', true],
    ['319261225', 'showa', '1926-12-25', true],
    ['019900102', 'unknown', '1990-01-02', true],
    ['019700000', 'unknown', '1970-00-00', true],
    ['620000101', 'unrecognized', '2000-01-01', false],
  ];
  it.each(cases)('%s → %s %s consistent=%s', (text, era, date, consistent) => {
    expect(decodeJpkiBirthDate(text)).toEqual({ era, eraCode: text[0], date, eraConsistent: consistent });
  });

  it('throws malformed-san for anything but 9 digits of a real date', () => {
    for (const bad of ['42008103', '4200810311', '4200810a1', '420230230', '419700000', '', '４20081031']) {
      expect(codeOf(() => decodeJpkiBirthDate(bad))).toBe('malformed-san');
    }
  });
});

describe('malformed certificates → CryptoError', () => {
  const der = vector(REAL.auth2019);

  it('truncated, trailing garbage, empty and non-certificate input', () => {
    expect(codeOf(() => parseJpkiCertificate(der.subarray(0, der.length - 1)))).toBe('malformed-certificate');
    expect(codeOf(() => parseJpkiCertificate(der.subarray(0, 100)))).toBe('malformed-certificate');
    expect(codeOf(() => parseJpkiCertificate(concatBytes(der, Uint8Array.of(0x00))))).toBe('malformed-certificate');
    expect(codeOf(() => parseJpkiCertificate(concatBytes(der, Uint8Array.of(0x05, 0x00))))).toBe('malformed-certificate');
    expect(codeOf(() => parseJpkiCertificate(new Uint8Array(0)))).toBe('malformed-certificate');
    expect(codeOf(() => parseJpkiCertificate(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)))).toBe('malformed-certificate');
    expect(codeOf(() => parseJpkiCertificate('MIIB' as unknown as Uint8Array))).toBe('malformed-certificate');
  });

  it('a TLV error is kept as the cause', () => {
    try {
      parseJpkiCertificate(concatBytes(der, Uint8Array.of(0xff)));
      expect.unreachable();
    } catch (error) {
      expect((error as CryptoError).cause).toMatchObject({ code: 'trailing-bytes' });
    }
  });

  it('property: any truncation or byte flip yields a certificate or a CryptoError, never another error', () => {
    fc.assert(
      fc.property(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, xor, truncate) => {
        const mutated = truncate ? der.subarray(0, at) : Uint8Array.from(der);
        if (!truncate) mutated[at] = mutated[at]! ^ xor;
        try {
          const c = parseJpkiCertificate(mutated);
          expect(['auth', 'sign', 'ca']).toContain(c.kind);
        } catch (error) {
          expect(error).toBeInstanceOf(CryptoError);
          expect(['malformed-certificate', 'malformed-san', 'kind-unknown']).toContain((error as CryptoError).code);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('property: arbitrary bytes never escape as a raw exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(codeOf(() => parseJpkiCertificate(Uint8Array.of(0x30, 0x82, bytes.length >> 8, bytes.length & 0xff, ...bytes)))).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it('duplicate extensions and unidentifiable certificates', async () => {
    const keys = await freshKeys();
    const duplicate = await issue({
      issuer: 'CN=x',
      subject: 'CN=y',
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      extensions: [ext.keyUsage(['digitalSignature']), ext.keyUsage(['digitalSignature']), ext.policies([OIDS.authPolicy])],
    });
    expect(codeOf(() => parseJpkiCertificate(duplicate))).toBe('malformed-certificate');
    const plain = await issue({
      issuer: 'CN=x',
      subject: 'CN=y',
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      extensions: [ext.keyUsage(['digitalSignature'])],
    });
    expect(codeOf(() => parseJpkiCertificate(plain))).toBe('kind-unknown');
  });
});
