import { describe, expect, it } from 'vitest';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../src/errors.js';
import { fromPem, MAX_PEM_LENGTH, toPem } from '../../src/crypto/pem.js';

const REAL = new URL('../vectors/real/', import.meta.url);
const realCertificates = readdirSync(REAL).filter((name) => name.endsWith('.der'));

describe('toPem / fromPem against node:crypto on the real certificates', () => {
  it('finds the real certificates', () => {
    expect(realCertificates.length).toBe(6);
  });

  for (const name of realCertificates) {
    it(name, () => {
      const der = new Uint8Array(readFileSync(new URL(name, REAL)));
      const nodePem = new X509Certificate(der).toString();
      expect(toPem(der, 'CERTIFICATE')).toBe(nodePem);
      expect(fromPem(nodePem, { label: 'CERTIFICATE' })).toEqual(der);
      expect(new X509Certificate(toPem(der, 'CERTIFICATE')).raw).toEqual(Buffer.from(der));
    });
  }

  it('reads the synthetic public-key PEM as node:crypto does', () => {
    const pem = readFileSync(new URL('synthetic-dummy-gov-pubkey__mynawallet-dummy_gov_pk.pem', REAL), 'utf8');
    const spki = createPublicKey(pem).export({ format: 'der', type: 'spki' });
    expect(fromPem(pem, { label: 'PUBLIC KEY' })).toEqual(new Uint8Array(spki));
    expect(toPem(new Uint8Array(spki), 'PUBLIC KEY')).toBe(createPublicKey(pem).export({ format: 'pem', type: 'spki' }));
  });
});

describe('toPem', () => {
  it('writes 64-character lines and the label', () => {
    expect(toPem(Uint8Array.of(1, 2, 3), 'X')).toBe('-----BEGIN X-----\nAQID\n-----END X-----\n');
    const pem = toPem(new Uint8Array(49).fill(0xff), 'CERTIFICATE');
    expect(pem.split('\n')).toEqual([
      '-----BEGIN CERTIFICATE-----',
      '/'.repeat(64),
      '/w==',
      '-----END CERTIFICATE-----',
      '',
    ]);
  });

  it('refuses an empty or non-Uint8Array input and a bad label', () => {
    expect(() => toPem(new Uint8Array(0), 'X')).toThrow(InvalidArgumentError);
    expect(() => toPem([1, 2] as unknown as Uint8Array, 'X')).toThrow(InvalidArgumentError);
    for (const label of ['-X', 'X-', 'A--B', 'A  B', 'CERT\nX', 'é', 'X'.repeat(65)]) {
      expect(() => toPem(Uint8Array.of(1), label), label).toThrow(InvalidArgumentError);
    }
  });
});

describe('fromPem is strict', () => {
  const good = '-----BEGIN X-----\nAQID\n-----END X-----\n';

  it('accepts CRLF, surrounding whitespace and any valid label without options', () => {
    expect(fromPem(good.replace(/\n/g, '\r\n'))).toEqual(Uint8Array.of(1, 2, 3));
    expect(fromPem(`\n  ${good}\n\n`)).toEqual(Uint8Array.of(1, 2, 3));
    expect(fromPem('-----BEGIN RSA PUBLIC KEY-----\nAQ==\n-----END RSA PUBLIC KEY-----')).toEqual(Uint8Array.of(1));
  });

  const bad: Record<string, string> = {
    'explanatory text before': `Subject: x\n${good}`,
    'text after': `${good}trailer`,
    'two blocks': good + good,
    'labels differ': '-----BEGIN X-----\nAQID\n-----END Y-----',
    'no END': '-----BEGIN X-----\nAQID\n',
    'no body': '-----BEGIN X-----\n-----END X-----',
    'empty body': '-----BEGIN X-----\n\n-----END X-----',
    'header line': '-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nAQID\n-----END X-----',
    'bad character': '-----BEGIN X-----\nAQ*D\n-----END X-----',
    'padding in the middle': '-----BEGIN X-----\nAQ==\nAQID\n-----END X-----',
    'bad length': '-----BEGIN X-----\nAQI\n-----END X-----',
    'bad label': '-----BEGIN X--Y-----\nAQID\n-----END X--Y-----',
    'not PEM': 'MIIB',
    empty: '',
  };
  for (const [name, text] of Object.entries(bad)) {
    it(`refuses: ${name}`, () => {
      expect(() => fromPem(text)).toThrow(InvalidArgumentError);
    });
  }

  it('checks the expected label', () => {
    expect(() => fromPem(good, { label: 'CERTIFICATE' })).toThrow(/label is not 'CERTIFICATE'/);
    expect(() => fromPem(good, { label: 'bad--label' })).toThrow(InvalidArgumentError);
  });

  it('bounds the input before parsing it', () => {
    expect(MAX_PEM_LENGTH).toBe(1 << 20);
    expect(() => fromPem(good, { maxLength: good.length - 1 })).toThrow(/longer than/);
    expect(fromPem(good, { maxLength: good.length })).toEqual(Uint8Array.of(1, 2, 3));
    expect(() => fromPem(' '.repeat(MAX_PEM_LENGTH + 1))).toThrow(/longer than 1048576/);
    expect(() => fromPem(42 as unknown as string)).toThrow(InvalidArgumentError);
  });
});
