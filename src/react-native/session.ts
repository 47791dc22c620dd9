/**
 * `withNfcCard`: one card operation inside one NFC session, which always ends.
 */
import { MyNumberCard, type MyNumberCardOptions } from '../aps/index.js';
import { NfcManagerTransport, type NfcManagerTransportOptions } from './transport.js';

/** Options of {@link withNfcCard}: the transport's, plus the card session's. */
export interface WithNfcCardOptions extends NfcManagerTransportOptions {
  /** Options of `MyNumberCard.connect` (the transport is always closed by `withNfcCard`). */
  readonly card?: Omit<MyNumberCardOptions, 'closeTransport'> | undefined;
}

/**
 * Run `use` with a connected {@link MyNumberCard} inside one NFC session: request the
 * technology (the iOS scan sheet appears), connect the card, run `use`, then close the card
 * session and end the NFC session (`cancelTechnologyRequest`) whatever happened — success,
 * a thrown error, the card leaving the field or the user cancelling.
 *
 * ```ts
 * import NfcManager, { NfcError } from 'react-native-nfc-manager';
 * import { Platform } from 'react-native';
 * import { withNfcCard } from 'mynacard/react-native';
 *
 * const attributes = await withNfcCard(
 *   (card) => card.text.readAttributes({ pin }),
 *   { nfcManager: NfcManager, nfcErrors: NfcError, platform: Platform.OS === 'ios' ? 'ios' : 'android' },
 * );
 * ```
 *
 * `use` also gets the transport, whose `onProgress` shows a read's progress in the iOS sheet:
 * `card.face.readFace({ verificationA, onProgress: nfc.onProgress })`.
 *
 * @returns what `use` returns
 * @throws whatever `use` throws, and the errors of {@link NfcManagerTransport.open} and `MyNumberCard.connect`
 */
export async function withNfcCard<T>(
  use: (card: MyNumberCard, nfc: NfcManagerTransport) => Promise<T>,
  options: WithNfcCardOptions,
): Promise<T> {
  const transport = await NfcManagerTransport.open(options);
  try {
    const card = await MyNumberCard.connect(transport, { ...options.card, closeTransport: false });
    try {
      return await use(card, transport);
    } finally {
      // Drops the security status; fails harmlessly when the card has already gone.
      await card.close().catch(() => undefined);
    }
  } finally {
    await transport.close();
  }
}
