/** Shared helpers of the card-session tests. */
import { ApduChannel } from '../../src/apdu/channel.js';
import type { ApduTraceEvent } from '../../src/apdu/trace.js';
import { toHex } from '../../src/bytes.js';
import { MyNumberCard, type MyNumberCardOptions } from '../../src/aps/card.js';
import { CardSession } from '../../src/aps/session.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';

/** Test values of the virtual card's defaults. */
export const AUTH_PIN = '1234';
export const SIGN_PASSWORD = 'ABC123';
export const TEXT_PIN = '5678';

/** Upper-case hex of a command, the form the log assertions use. */
export const hex = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();

/** AID SELECT commands (card-facts §2). */
export const SELECT = {
  jpki: '00A4040C0AD392F000260100000001',
  text: '00A4040C0AD3921000310001010408',
  face: '00A4040C0AD3921000310001010402',
  common: '00A4040C0AD3921000310001010100',
} as const;

/** A virtual card, a connected session and the traces it produced. */
export interface Rig {
  readonly vc: VirtualMyNumberCard;
  readonly card: MyNumberCard;
  readonly traces: ApduTraceEvent[];
}

/** Create a virtual card and connect; the card log is cleared after connect unless `keepConnectLog`. */
export async function rig(
  cardOptions: VirtualCardOptions = {},
  options: MyNumberCardOptions & { keepConnectLog?: boolean } = {},
): Promise<Rig> {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  const traces: ApduTraceEvent[] = [];
  const { keepConnectLog, ...connectOptions } = options;
  const card = await MyNumberCard.connect(vc, { onTrace: (e) => traces.push(e), ...connectOptions });
  if (keepConnectLog !== true) vc.clearLog();
  return { vc, card, traces };
}

/** Commands in the card log (VERIFY data already redacted by the card's log). */
export function commands(vc: VirtualMyNumberCard): string[] {
  return vc.log.map((e) => hex(e.command));
}

/** Number of VERIFY commands that carried data (a PIN) in the card log. */
export function verifiesWithData(vc: VirtualMyNumberCard): number {
  return vc.log.filter((e) => e.verifyWithData === true).length;
}

/** A session over `transport` whose selected application is unknown (as the vectors start). */
export function bareSession(transport: Transport, extendedLength: 'auto' | boolean = 'auto'): CardSession {
  return new CardSession(new ApduChannel(transport, { extendedLength }), false);
}

/** Catch a rejection and return the error (fails the test when the promise resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}
