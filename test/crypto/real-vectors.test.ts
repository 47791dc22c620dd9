import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { jpkiRootCertificate } from '../../src/crypto/jpki-roots.js';

const REAL = join(import.meta.dirname, '../vectors/real');
const read = (file: string) => readFileSync(join(REAL, file));

/** SHA-256 of each file as copied from its public source (test/vectors/real/README.md). */
const RECORDED: Record<string, string> = {
  'real-auth-leaf-2019-issued-by-authca01__my-number-myna.der': '449ef3f93be0c5425330af2b41c63769190aa75a713223d96839f6537104007e',
  'real-auth-leaf-2020-issued-by-authca02__mynawallet-myna_cert.der': '9c3f7955586048189c96d9ea49846ef23ac952ad37fc5f875cd7bc562f23dcde',
  'real-auth-leaf-2020-issued-by-authca02__siketyan-keychain.der': '81ded7d7b265e8bbfc4a5096c96586393c7125151d605a5b6947b8500c29aebc',
  'real-auth-leaf-2023-issued-by-authca02__mynawallet-myna_new_cert.der': '24b0121c74f63f851aaa94f04066495b9b1c7eb97409d295b2731f6829028db0',
  'jpki-legacy-prefectural-association-bridgeca-2003-2013.der': 'da98f640194df128c7888bc8e3479a9dd31795ff087c649052fbafb02eaef184',
  'synthetic-sign-leaf-fake-jlis-issuer__mynawallet-dummy_secret_cert.der': '1ad2c6f29c2a251e392788dbe36cc99ed1005a191915e881d0545452540082c8',
};

describe('test/vectors/real', () => {
  it('holds the recorded bytes', () => {
    for (const [file, sha256] of Object.entries(RECORDED)) {
      expect([file, createHash('sha256').update(read(file)).digest('hex')]).toEqual([file, sha256]);
    }
  });

  it('legacy BridgeCA root is a self-signed sha1WithRSA certificate', () => {
    const cert = new X509Certificate(read('jpki-legacy-prefectural-association-bridgeca-2003-2013.der'));
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toBe('C=JP\nO=JPKI\nOU=Prefectural Association For JPKI\nOU=BridgeCA');
    expect(cert.fingerprint).toBe('2D:FF:63:36:E3:3A:48:29:AA:00:9F:01:A1:80:1E:E7:EB:A5:82:BB');
  });

  it('the lookalike verifies only under the MynaWallet dummy key, not under signca02', () => {
    const lookalike = new X509Certificate(read('synthetic-sign-leaf-fake-jlis-issuer__mynawallet-dummy_secret_cert.der'));
    const dummy = createPublicKey(read('synthetic-dummy-gov-pubkey__mynawallet-dummy_gov_pk.pem'));
    expect(lookalike.verify(dummy)).toBe(true);
    expect(lookalike.verify(new X509Certificate(jpkiRootCertificate('signca02')).publicKey)).toBe(false);
  });

  it('the real card signatures verify against real-auth-leaf-2019 (and not over message2)', () => {
    const json = JSON.parse(read('card-signature-vectors__my-number-myna.json').toString('utf8')) as {
      certificateFile: string;
      message: { hex: string };
      message2_unsigned: { hex: string };
      vectors: { hash: string; signatureHex: string }[];
    };
    const key = new X509Certificate(read(json.certificateFile)).publicKey;
    expect(json.vectors.map((v) => v.hash)).toEqual(['SHA-256', 'SHA-1']);
    for (const v of json.vectors) {
      const algorithm = v.hash.replace('-', '').toLowerCase();
      const signature = Buffer.from(v.signatureHex, 'hex');
      expect(signature).toHaveLength(256);
      expect(verify(algorithm, Buffer.from(json.message.hex, 'hex'), key, signature)).toBe(true);
      expect(verify(algorithm, Buffer.from(json.message2_unsigned.hex, 'hex'), key, signature)).toBe(false);
    }
  });
});
