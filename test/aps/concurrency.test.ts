/** One operation at a time per card: 50 concurrent mixed operations, no interleaving on the wire. */
import { X509Certificate, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { VirtualMyNumberCard } from '../../src/testing/index.js';
import { hex as toHexUpper, AUTH_PIN, SELECT, SIGN_PASSWORD, TEXT_PIN, rig } from './helpers.js';

/** The card log as command hex; a VERIFY that carried a PIN (redacted by the card) is marked `+PIN`. */
const wire = (vc: VirtualMyNumberCard): string[] =>
  vc.log.map((e) => toHexUpper(e.command) + (e.verifyWithData === true ? '+PIN' : ''));

type Ap = keyof typeof SELECT;
interface OpShape {
  readonly ap: Ap;
  /** Command prefixes of the body after any SELECT of the AP (exact unless ending with '*'). */
  readonly body: readonly string[];
}

const SHAPES: Readonly<Record<string, OpShape>> = {
  authTries: { ap: 'jpki', body: ['00200098'] },
  signTries: { ap: 'jpki', body: ['0020009B'] },
  authSign: { ap: 'jpki', body: ['00200098', '00200098+PIN', '00A4020C020017', '802A0080*', SELECT.jpki] },
  signSign: { ap: 'jpki', body: ['0020009B', '0020009B+PIN', '00A4020C02001A', '802A0080*', SELECT.jpki] },
  authCa: { ap: 'jpki', body: ['00B08B00000000'] },
  myNumber: { ap: 'text', body: ['00200091', '00200091+PIN', '00B08100000000', SELECT.text] },
  attributes: { ap: 'text', body: ['00200095', '00200095+PIN', '00B08200000000', SELECT.text] },
  textTries: { ap: 'text', body: ['00200091'] },
  face: { ap: 'face', body: ['00200093', '00200093+PIN', '00B08200000000', SELECT.face] },
  common: { ap: 'common', body: ['00B2010C00'] },
};

const matches = (pattern: string, command: string) =>
  pattern.endsWith('*') ? command.startsWith(pattern.slice(0, -1)) : command === pattern;

/**
 * Parse the log as a concatenation of whole operations: [SELECT of the op's AP when another AP
 * is current] + the op's body. Throws at the first command that does not continue a whole op.
 */
function parseLog(log: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  let current: Ap = 'jpki';
  let i = 0;
  while (i < log.length) {
    let ap: Ap = current;
    let j = i;
    const selected = (Object.keys(SELECT) as Ap[]).find((k) => SELECT[k] === log[i]);
    if (selected !== undefined && selected !== current) {
      ap = selected;
      j = i + 1;
    }
    const candidates = Object.entries(SHAPES).filter(
      ([, shape]) => shape.ap === ap && shape.body.every((p, k) => log[j + k] !== undefined && matches(p, log[j + k]!)),
    );
    if (candidates.length === 0) throw new Error(`no whole operation at log index ${i}: ${log.slice(i, i + 6).join(' ')}`);
    // A tries query is a prefix of a PIN operation; the marked VERIFY (+PIN) makes the longest match the only valid one.
    const [name, shape] = candidates.sort((a, b) => b[1].body.length - a[1].body.length)[0]!;
    counts[name] = (counts[name] ?? 0) + 1;
    current = ap;
    i = j + shape.body.length;
  }
  return counts;
}

describe('concurrency', () => {
  it('50 concurrent mixed operations: correct results, whole sequences on the wire', async () => {
    const { vc, card } = await rig({ quirks: { latencyMs: 1 } });
    const spki = (der: Uint8Array) => new X509Certificate(Buffer.from(der)).publicKey;
    const authKey = spki(vc.certificates.auth);
    const signKey = spki(vc.certificates.sign);
    const myNumber = vc.holder.myNumber;
    const kinds = Object.keys(SHAPES);
    const issued: Record<string, number> = {};
    const tasks = Array.from({ length: 50 }, (_, i) => {
      const kind = kinds[i % kinds.length]!;
      issued[kind] = (issued[kind] ?? 0) + 1;
      const msg = new TextEncoder().encode(`message ${i}`);
      switch (kind) {
        case 'authTries':
          return card.jpki.remainingTries('auth').then((n) => expect(n).toMatchObject({ state: 'tries', remaining: 3 }));
        case 'signTries':
          return card.jpki.remainingTries('sign').then((n) => expect(n).toMatchObject({ state: 'tries', remaining: 5 }));
        case 'authSign':
          return card.jpki
            .sign('auth', msg, { pin: AUTH_PIN })
            .then((s) => expect(nodeVerify('sha256', msg, authKey, s)).toBe(true));
        case 'signSign':
          return card.jpki
            .sign('sign', msg, { pin: SIGN_PASSWORD })
            .then((s) => expect(nodeVerify('sha256', msg, signKey, s)).toBe(true));
        case 'authCa':
          return card.jpki.readCertificate('auth-ca').then((d) => expect(toHexUpper(d)).toBe(toHexUpper(vc.certificates.authCa)));
        case 'myNumber':
          return card.text.readMyNumber({ pin: TEXT_PIN }).then((n) => expect(n).toBe(myNumber));
        case 'attributes':
          return card.text
            .readAttributes({ verificationB: '02010220352468' })
            .then((a) => expect([a.name, a.birthDate]).toEqual([vc.holder.name, vc.holder.birthDate]));
        case 'textTries':
          return card.text.remainingTries().then((n) => expect(n).toMatchObject({ state: 'tries', remaining: 3 }));
        case 'face':
          return card.face.readFace({ verificationA: myNumber }).then((f) => expect(f.birthDate).toBe(vc.holder.birthDate));
        default:
          return card.common.readCardIdentifier().then((c) => expect(c.digits).toHaveLength(28));
      }
    });
    await Promise.all(tasks);
    const counts = parseLog(wire(vc));
    for (const kind of kinds) {
      if (kind === 'authCa' || kind === 'common') {
        // Cached once read: queued calls may find the cache filled.
        expect(counts[kind]).toBeGreaterThanOrEqual(1);
        expect(counts[kind]).toBeLessThanOrEqual(issued[kind]!);
      } else {
        expect(counts[kind]).toBe(issued[kind]);
      }
    }
    // Every VERIFY with data was followed by its own operation's commands up to the drop.
    expect(vc.log.filter((e) => e.verifyWithData).length).toBe(
      issued.authSign! + issued.signSign! + issued.myNumber! + issued.attributes! + issued.face!,
    );
  });

  it('the parser rejects an interleaved log (self-check)', () => {
    expect(() =>
      parseLog(['00200098', '00200098+PIN', SELECT.text, '00A4020C020017', '802A00803300', SELECT.jpki]),
    ).toThrow(/no whole operation/);
    expect(parseLog([SELECT.text, '00200091', '00200091+PIN', '00B08100000000', SELECT.text, '00200091'])).toEqual({
      myNumber: 1,
      textTries: 1,
    });
  });
});
