/**
 * A transport wrapper that injects one fault at a chosen APDU index: the card pulled out, the
 * transport throwing before or after the card answered, a truncated response, or an
 * unexpected status word. Counts the APDUs it saw.
 */
import { TransportError } from '../../src/errors.js';
import type { Transport } from '../../src/transport/transport.js';
import type { VirtualMyNumberCard } from '../../src/testing/index.js';

/** What goes wrong at the armed index. */
export type Fault =
  | { readonly kind: 'remove' }
  | { readonly kind: 'throw-before'; readonly raw: boolean }
  | { readonly kind: 'throw-after'; readonly raw: boolean }
  | { readonly kind: 'truncate'; readonly keep: 'none' | 'one' | 'half' | 'no-sw' }
  | { readonly kind: 'status'; readonly sw: number; readonly keepData: boolean };

/** Every fault the campaign injects at each index. */
export const FAULTS: readonly Fault[] = [
  { kind: 'remove' },
  { kind: 'throw-before', raw: false },
  { kind: 'throw-before', raw: true },
  { kind: 'throw-after', raw: false },
  { kind: 'throw-after', raw: true },
  { kind: 'truncate', keep: 'none' },
  { kind: 'truncate', keep: 'one' },
  { kind: 'truncate', keep: 'half' },
  { kind: 'truncate', keep: 'no-sw' },
  { kind: 'status', sw: 0x6f00, keepData: false },
  { kind: 'status', sw: 0x6a82, keepData: false },
  { kind: 'status', sw: 0x6982, keepData: false },
  { kind: 'status', sw: 0x63c1, keepData: false },
  { kind: 'status', sw: 0x63c0, keepData: false },
  { kind: 'status', sw: 0x6100, keepData: false },
  { kind: 'status', sw: 0x6c10, keepData: false },
  { kind: 'status', sw: 0x9000, keepData: false },
  { kind: 'status', sw: 0x6281, keepData: true },
  { kind: 'status', sw: 0x6700, keepData: false },
];

/** The faults `npm test` injects into the heavy operations (all of them in long mode). */
export const CORE_FAULTS: readonly Fault[] = [
  { kind: 'remove' },
  { kind: 'throw-after', raw: true },
  { kind: 'truncate', keep: 'half' },
  { kind: 'status', sw: 0x9000, keepData: false },
  { kind: 'status', sw: 0x6982, keepData: false },
];

/** A short label for reports. */
export function faultName(f: Fault): string {
  switch (f.kind) {
    case 'remove':
      return 'remove';
    case 'throw-before':
    case 'throw-after':
      return `${f.kind}${f.raw ? '-raw' : ''}`;
    case 'truncate':
      return `truncate-${f.keep}`;
    case 'status':
      return `sw-${f.sw.toString(16)}${f.keepData ? '+data' : ''}`;
  }
}

/** Wraps the virtual card; `arm(index, fault)` makes APDU number `index` (0-based) fail. */
export class FaultyTransport implements Transport {
  count = 0;
  /**
   * A careless custom transport: every command carrying a secret (VERIFY, CHANGE REFERENCE
   * DATA, RESET RETRY COUNTER with data) fails with an error that echoes the command in its
   * message, a `command` property and a nested cause (issue 13 §3).
   */
  echoSecretCommands = false;
  #armed: { index: number; fault: Fault } | undefined;
  constructor(readonly card: VirtualMyNumberCard) {}

  arm(index: number, fault: Fault): void {
    this.count = 0;
    this.#armed = { index, fault };
    if (fault.kind === 'remove') this.card.removeAfterCommands(index);
  }

  disarm(): void {
    this.#armed = undefined;
    this.card.removeAfterCommands(1e9);
    if (!this.card.present) this.card.insert();
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const i = this.count++;
    if (this.echoSecretCommands && command.length > 5 && [0x20, 0x24, 0x2c].includes(command[1]!)) {
      const hex = Array.from(command, (b) => b.toString(16).padStart(2, '0')).join('');
      throw Object.assign(new Error(`cannot send ${hex}`, { cause: new Error(`frame ${hex}`) }), {
        code: 'ECHO',
        command: command.slice(),
      });
    }
    const armed = this.#armed?.index === i ? this.#armed.fault : undefined;
    if (armed?.kind === 'throw-before') throw armed.raw ? new Error('socket hang up') : new TransportError('link down');
    const response = await this.card.transmit(command);
    if (armed === undefined || armed.kind === 'remove') return response;
    switch (armed.kind) {
      case 'throw-after':
        throw armed.raw ? new Error('socket hang up') : new TransportError('link down');
      case 'truncate':
        if (armed.keep === 'none') return new Uint8Array(0);
        if (armed.keep === 'one') return response.slice(0, 1);
        if (armed.keep === 'half') return response.slice(0, Math.max(2, response.length >> 1));
        return response.slice(0, Math.max(0, response.length - 2)); // data without SW
      case 'status': {
        const data = armed.keepData ? response.subarray(0, response.length - 2) : new Uint8Array(0);
        return Uint8Array.from([...data, armed.sw >> 8, armed.sw & 0xff]);
      }
    }
  }
}
