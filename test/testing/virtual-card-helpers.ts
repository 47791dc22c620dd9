/**
 * Shared helpers of the virtual-card tests (not a test file).
 */
import { asciiBytes, fromHex, toHex } from '../../src/bytes.js';
import type { VirtualMyNumberCard } from '../../src/testing/index.js';

/** DF names. card-facts §2 */
export const AID = {
  jpki: 'D392F000260100000001',
  text: 'D3921000310001010408',
  face: 'D3921000310001010402',
  common: 'D3921000310001010100',
  juki: 'D3921000310001010401',
  isd: 'A0000001510000',
} as const;

/** `00 A4 04 0C Lc <aid>` */
export function selectAid(aid: string, p2 = '0C'): string {
  return `00A404${p2}${(aid.length / 2).toString(16).toUpperCase().padStart(2, '0')}${aid}`;
}

/** Upper-case hex of ASCII text. */
export function ascii(text: string): string {
  return toHex(asciiBytes(text)).toUpperCase();
}

/** Lc byte (hex) for `text`. */
export function lcOf(text: string): string {
  return text.length.toString(16).toUpperCase().padStart(2, '0');
}

/** Send hex, get the upper-case hex response. */
export async function send(card: VirtualMyNumberCard, hex: string): Promise<string> {
  return toHex(await card.transmit(fromHex(hex))).toUpperCase();
}

/** Send hex, get the response bytes. */
export async function sendBytes(card: VirtualMyNumberCard, hex: string): Promise<Uint8Array> {
  return card.transmit(fromHex(hex));
}

/** Status word (last 4 hex digits) of a response. */
export function swOf(response: string): string {
  return response.slice(-4);
}

/** Upper-case hex. */
export function hex(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase();
}
