/**
 * The React Native shelter-reception example's logic (examples/react-native-shelter/reception.ts)
 * over the fake react-native-nfc-manager and the virtual card, on both platforms.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { personKey, readResident, receptionMessage } from '../../examples/react-native-shelter/reception.js';
import { FakeNfcError, FakeNfcManager } from '../react-native/fake-nfc-manager.js';

const SALT = Uint8Array.from({ length: 32 }, (_, i) => i);

for (const platform of ['android', 'ios'] as const) {
  describe(`react-native shelter reception — ${platform}`, () => {
    it('reads the 基本4情報 with the text PIN, never the 個人番号; the session ends', async () => {
      const vc = await VirtualMyNumberCard.create();
      const fake = new FakeNfcManager({ platform, card: vc });
      const resident = await readResident({ nfcManager: fake, nfcErrors: FakeNfcError, platform }, '5678', SALT);
      const h = vc.holder;
      const expectedKey = createHmac('sha256', SALT)
        .update(`${h.name.normalize('NFKC').replace(/\s+/gu, '')}\u0000${h.birthDate}`, 'utf8')
        .digest('hex');
      expect(resident).toEqual({ name: h.name, address: h.address, birthDate: h.birthDate, sex: '2 female', personKey: expectedKey });
      // Text AP selected, PIN verified once, the 基本4情報 EF (0002) read; the 個人番号 EF (0001) never.
      const commands = vc.log.map((e) => toHex(e.command));
      expect(commands).toContain('00a4040c0ad3921000310001010408');
      expect(vc.log.filter((e) => e.verifyWithData === true)).toHaveLength(1);
      expect(commands.some((c) => c.startsWith('00b081'))).toBe(false);
      expect(fake.sessionActive).toBe(false);
      if (platform === 'ios') {
        expect(fake.requests[0]).toEqual({ alertMessage: 'マイナンバーカードを端末の背面にかざしてください' });
        expect(fake.alerts).toEqual(['読み取り中…', '読み取りました']);
      }
    });

    it('a wrong PIN tells the tries left; a PIN of the wrong format never reaches the card', async () => {
      const vc = await VirtualMyNumberCard.create();
      const fake = new FakeNfcManager({ platform, card: vc });
      const nfc = { nfcManager: fake, nfcErrors: FakeNfcError, platform };
      const wrong = await readResident(nfc, '0000', SALT).catch((e: unknown) => e);
      expect(receptionMessage(wrong)).toBe('暗証番号が違います（残り2回）。');
      const malformed = await readResident(nfc, '12a4', SALT).catch((e: unknown) => e);
      expect(receptionMessage(malformed)).toBe('暗証番号は数字4桁です。');
      expect(vc.log.filter((e) => e.verifyWithData === true)).toHaveLength(1);
      expect(fake.calls.filter((c) => c === 'cancelTechnologyRequest')).toHaveLength(2);
    });

    it('the card pulled away and the user cancelling each get their message', async () => {
      const vc = await VirtualMyNumberCard.create({ quirks: { removeAfterCommands: 5 } });
      const removed = await readResident({ nfcManager: new FakeNfcManager({ platform, card: vc }), platform }, '5678', SALT).catch(
        (e: unknown) => e,
      );
      expect(receptionMessage(removed)).toBe('カードが離れました。もう一度かざしてください。');
      const cancelled = await readResident(
        { nfcManager: new FakeNfcManager({ platform, card: vc, cancelBeforeTag: true }), platform },
        '5678',
        SALT,
      ).catch((e: unknown) => e);
      expect(receptionMessage(cancelled)).toBe('読み取りを中止しました。');
    });
  });
}

describe('person key', () => {
  it('is the same for the same person whatever the spacing or width of the name, and depends on the salt', () => {
    expect(personKey(SALT, '由利　花子', '1990-01-02')).toBe(personKey(SALT, '由利花子', '1990-01-02'));
    expect(personKey(SALT, 'ﾕﾘ ﾊﾅｺ', '1990-01-02')).toBe(personKey(SALT, 'ユリハナコ', '1990-01-02'));
    expect(personKey(SALT, '由利花子', '1990-01-02')).not.toBe(personKey(new Uint8Array(32), '由利花子', '1990-01-02'));
    expect(personKey(SALT, '由利花子', '1990-01-02')).toMatch(/^[0-9a-f]{64}$/);
  });
});
