import { defineCardAp, digitsCodec, tlvRecord, uintCodec, textCodec, bytesCodec, openCardAp, type CardApFileValue, type CardApWritableFileName, type CardApSecretName } from '../../src/aps/card-ap/index.js';
const d = defineCardAp({
  name: 'x', area: 'regional', aid: 'F000000001',
  secrets: { pin: { fid: 0x11 } },
  files: {
    member: { fid: 1, size: 10, read: 'free', write: 'issuer', codec: digitsCodec(10) },
    loans: { fid: 2, size: 32, read: { secret: 'pin' }, write: { secret: 'pin' }, codec: tlvRecord({ limit: { tag: 0xdf01, codec: uintCodec(1) }, note: { tag: 0xdf02, optional: true }, raw: 0xdf03, name: { tag: 0xdf04, codec: textCodec({ max: 20 }), optional: true } }) },
    fixed: { fid: 3, size: 4, read: 'free', write: 'never', codec: bytesCodec(4) },
  },
});
type V = CardApFileValue<typeof d, 'loans'>;
const v: V = { limit: 3, raw: new Uint8Array() };
type W = CardApWritableFileName<typeof d>;
const w: W = 'loans';
type S = CardApSecretName<typeof d>;
const s: S = 'pin';
declare const ch: any;
const sess = openCardAp(ch, d);
async function f() {
  const m: string = await sess.read('member');
  await sess.write('loans', { limit: 1, raw: new Uint8Array(1), name: 'x' }, { pin: '1234', secrets: { pin: '1' } });
  // @ts-expect-error never-writable
  await sess.write('fixed', new Uint8Array(4));
  // @ts-expect-error wrong type
  await sess.write('member', 5);
}
const bad = defineCardAp({
  name: 'x', area: 'regional', aid: 'F000000001',
  secrets: { pin: { fid: 0x11 } },
  // @ts-expect-error unknown secret
  files: { a: { fid: 1, size: 10, read: { secret: 'nope' }, write: 'issuer', codec: digitsCodec(10) } },
});
export { v, w, s, f, bad };
// @ts-expect-error raw missing
const v2: V = { limit: 3 };
const v3: V = { limit: 3, raw: new Uint8Array(), note: new Uint8Array(), name: 'a' };
// @ts-expect-error wrong type
const v4: V = { limit: '3', raw: new Uint8Array() };
// @ts-expect-error 'fixed' not writable
const w2: W = 'fixed';
export { v2, v3, v4, w2 };
