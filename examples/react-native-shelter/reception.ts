/**
 * 避難所受付 on a phone or tablet (React Native): the resident holds the My Number Card to the
 * device, types the 券面事項入力補助用暗証番号 (4 digits), and the 基本4情報 come back for the
 * roster. Platform-free logic of the screen in `ShelterReceptionScreen.tsx`; the tests run it
 * against a fake NFC manager (test/examples/react-native-shelter.test.ts).
 *
 * The 個人番号 is never read. A second check-in of the same person is recognised by a salted
 * hash (HMAC-SHA-256 of the NFKC-normalised name and the birth date under the shelter's own
 * salt), as in examples/shelter-reception.
 *
 * It imports `mynacard` and `mynacard/react-native` as an app does (inside this repository
 * the names resolve to the sources: see tsconfig.json `paths`).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { PinBlockedError, PinFormatError, PinIncorrectError, PinRetryGuardError, type SecretInput } from 'mynacard';
import {
  CardRemovedError,
  NfcCancelledError,
  SecondTagError,
  TimeoutError,
  withNfcCard,
  type NfcErrorClasses,
  type NfcManagerLike,
  type NfcPlatform,
} from 'mynacard/react-native';

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** What the screen needs from the app: react-native-nfc-manager and the platform. */
export interface NfcDependencies {
  /** `import NfcManager from 'react-native-nfc-manager'`. */
  readonly nfcManager: NfcManagerLike;
  /** `import { NfcError } from 'react-native-nfc-manager'`. */
  readonly nfcErrors?: NfcErrorClasses;
  /** `Platform.OS === 'ios' ? 'ios' : 'android'`. */
  readonly platform: NfcPlatform;
}

/** One resident at the reception desk. */
export interface Resident {
  readonly name: string;
  readonly address: string;
  readonly birthDate: string;
  /** 1 男 / 2 女 / 9 適用不能 as on the card, with its meaning. */
  readonly sex: string;
  /** HMAC-SHA-256(salt, name ‖ birth date), hex: recognises a second check-in without any ID number. */
  readonly personKey: string;
}

/** The person key of {@link Resident}. */
export function personKey(salt: Uint8Array, name: string, birthDate: string): string {
  const normalised = name.normalize('NFKC').replace(/\s+/gu, '');
  return toHex(hmac(sha256, salt, new TextEncoder().encode(`${normalised}\u0000${birthDate}`)));
}

/**
 * Read the 基本4情報 in one NFC session. The SDK checks the PIN's format before the card, reads
 * the tries left before VERIFY and refuses to spend the last one (`PinRetryGuardError`); the
 * session always ends, on iOS with the sheet showing the outcome.
 */
export async function readResident(nfc: NfcDependencies, pin: SecretInput, salt: Uint8Array): Promise<Resident> {
  return withNfcCard(
    async (card, session) => {
      await session.setAlertMessage('読み取り中…');
      const a = await card.text.readAttributes({ pin });
      await session.setAlertMessage('読み取りました');
      return {
        name: a.name,
        address: a.address,
        birthDate: a.birthDate,
        sex: `${a.sex.code} ${a.sex.value}`,
        personKey: personKey(salt, a.name, a.birthDate),
      };
    },
    { ...nfc, alertMessage: 'マイナンバーカードを端末の背面にかざしてください' },
  );
}

/** What the reception screen tells the resident for each outcome of {@link readResident}. */
export function receptionMessage(error: unknown): string {
  if (error instanceof PinFormatError) return '暗証番号は数字4桁です。';
  if (error instanceof PinIncorrectError) return `暗証番号が違います（残り${error.remaining}回）。`;
  if (error instanceof PinRetryGuardError) return '残り1回のため読み取りを止めました。窓口の職員にお声がけください。';
  if (error instanceof PinBlockedError) return '暗証番号がロックされています。市区町村の窓口で解除してください。';
  if (error instanceof CardRemovedError) return 'カードが離れました。もう一度かざしてください。';
  if (error instanceof SecondTagError) return 'カードは1枚だけかざしてください（交通系ICカードなどを離してください）。';
  if (error instanceof NfcCancelledError) return '読み取りを中止しました。';
  if (error instanceof TimeoutError) return '時間切れです。もう一度お試しください。';
  return '読み取れませんでした。職員にお声がけください。';
}
