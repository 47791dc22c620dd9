/** Shared helpers of the card-AP tests (not a test file). */
import { ApduChannel, type ApduChannelOptions } from '../../src/apdu/channel.js';
import type { ApduTraceEvent } from '../../src/apdu/trace.js';
import { toHex } from '../../src/bytes.js';
import {
  bytesCodec,
  defineCardAp,
  digitsCodec,
  openCardAp,
  textCodec,
  tlvRecord,
  uintCodec,
  type CardApAuthExchange,
  type CardApHost,
  type CardApIssuerAuth,
} from '../../src/aps/card-ap/index.js';
import { testCardApCryptogram, VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';

/** The test issuer key of the library card AP (never a real key). */
export const ISSUER_KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
/** Member PIN of the library card AP on the test card. */
export const MEMBER_PIN = '2468';

/** The issuer side: what a municipality's server / HSM would do with the test card's scheme. */
export function issuerAuth(key: Uint8Array = ISSUER_KEY): CardApIssuerAuth {
  return async (exchange: CardApAuthExchange) => {
    const challenge = await exchange.getChallenge();
    await exchange.externalAuthenticate(testCardApCryptogram(key, challenge, exchange.aid));
  };
}

/** A regional library card AP: free member number, PIN-protected loan record. */
export const library = defineCardAp({
  name: 'test-library',
  area: 'regional',
  aid: 'F0392000000000010001',
  secrets: { pin: { fid: 0x0011, maxTries: 3, label: '図書館カード暗証番号' } },
  files: {
    memberNumber: { fid: 0x0001, size: 10, read: 'free', write: 'issuer', codec: digitsCodec(10), sensitive: false },
    loans: {
      fid: 0x0002,
      size: 48,
      read: { secret: 'pin' },
      write: { secret: 'pin' },
      codec: tlvRecord({
        limit: { tag: 0xdf01, codec: uintCodec(1) },
        validUntil: { tag: 0xdf02, codec: digitsCodec(8), optional: true },
        name: { tag: 0xdf03, codec: textCodec({ max: 24 }, { encoding: 'shift_jis' }), optional: true },
      }),
    },
    issuerCode: { fid: 0x0003, size: 8, read: 'free', write: 'never', codec: bytesCodec(8), sensitive: false },
  },
  auth: issuerAuth(),
});

/** An extension-area hospital card AP: free patient number, a note behind a 6–8 letter password. */
export const hospital = defineCardAp({
  name: 'test-hospital',
  area: 'extension',
  aid: 'F0392000000000020001',
  secrets: { password: { fid: 0x0101, minLength: 6, maxLength: 8, charset: 'alphanumeric', maxTries: 5 } },
  files: {
    patientNumber: { fid: 0x0001, size: 8, read: 'free', write: 'never', codec: digitsCodec(8), sensitive: false },
    note: {
      fid: 0x0002,
      size: 600,
      read: { secret: 'password' },
      write: { secret: 'password' },
      codec: textCodec(600, { encoding: 'utf-8', pad: 0x00 }),
      sensitive: false,
    },
  },
});

/** SELECT of a card AP by DF name with the FCI requested (P2 00, Le 00), as sessions send it. */
export function selectHex(aid: Uint8Array): string {
  return `00A40400${aid.length.toString(16).toUpperCase().padStart(2, '0')}${toHex(aid).toUpperCase()}00`;
}

/** The virtual card's answer to {@link selectHex}: FCI `6F L 84 L <AID>` and 9000. */
export function fciHex(aid: Uint8Array): string {
  const n = aid.length;
  return `6F${(n + 2).toString(16).toUpperCase().padStart(2, '0')}84${n.toString(16).toUpperCase().padStart(2, '0')}${toHex(aid).toUpperCase()}9000`;
}

/** SELECT by DF name without FCI (P2 0C), as probes send it. */
export function probeHex(aid: Uint8Array): string {
  return `00A4040C${aid.length.toString(16).toUpperCase().padStart(2, '0')}${toHex(aid).toUpperCase()}`;
}

/** Upper-case hex. */
export const hex = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();

/** Upper-case hex of ASCII text. */
export const ascii = (text: string): string => hex(new TextEncoder().encode(text));

/** The card log: command hex, `+PIN` when a VERIFY carried a (redacted) secret. */
export function wire(vc: VirtualMyNumberCard): string[] {
  return vc.log.map((e) => hex(e.command) + (e.verifyWithData === true ? '+PIN' : ''));
}

/** The card log as `command → response` hex pairs. */
export function exchanges(vc: VirtualMyNumberCard): string[] {
  return vc.log.map((e) => `${hex(e.command)}${e.verifyWithData === true ? '+PIN' : ''} → ${hex(e.response)}`);
}

/** A host like the MyNumberCard session: records how often it was told to forget its selection. */
export interface TestHost extends CardApHost {
  readonly channel: ApduChannel;
  forgets: number;
  closed: boolean;
}

/** A virtual card with both test card APs installed, a channel and a host over it. */
export interface Rig {
  readonly vc: VirtualMyNumberCard;
  readonly host: TestHost;
  readonly traces: ApduTraceEvent[];
}

/** Default contents of the test card APs. */
export const LIBRARY_CONTENTS = {
  memberNumber: '0012345678',
  loans: { limit: 5, validUntil: '20300331' },
  issuerCode: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
} as const;

/** Create a virtual card with the library and hospital card APs and a host over it. */
export async function rig(
  options: { card?: VirtualCardOptions; channel?: ApduChannelOptions; transport?: (vc: VirtualMyNumberCard) => Transport } = {},
): Promise<Rig> {
  const vc = await VirtualMyNumberCard.create(options.card ?? {});
  vc.installCardAp(library, LIBRARY_CONTENTS, { secrets: { pin: MEMBER_PIN }, issuerKey: ISSUER_KEY });
  vc.installCardAp(hospital, { patientNumber: '00042001', note: 'allergy: none' }, { secrets: { password: 'Kenko123' } });
  const traces: ApduTraceEvent[] = [];
  const channel = new ApduChannel(options.transport?.(vc) ?? vc, { onTrace: (e) => traces.push(e), ...options.channel });
  const host: TestHost = {
    channel,
    forgets: 0,
    closed: false,
    forgetSelection() {
      this.forgets++;
    },
  };
  vc.clearLog();
  return { vc, host, traces };
}

/** Sessions of both card APs over a rig's host. */
export function sessions(r: Rig) {
  return { lib: openCardAp(r.host, library), hos: openCardAp(r.host, hospital) };
}

/** Catch a rejection and return the error (fails the test when the promise resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the promise to reject');
}

/** A transport that flips the last data byte of the first `count` UPDATE BINARY commands (a corrupting link). */
export function corruptingTransport(inner: Transport, count: number): Transport & { corrupted: number } {
  const t = {
    corrupted: 0,
    transmit(command: Uint8Array): Promise<Uint8Array> {
      if (command[1] === 0xd6 && t.corrupted < count) {
        t.corrupted++;
        const copy = command.slice();
        copy[copy.length - 1] = copy[copy.length - 1]! ^ 0x01;
        return inner.transmit(copy);
      }
      return inner.transmit(command);
    },
  };
  return t;
}
