/** A scripted fake transport for channel tests: expects exact command hex, answers exact hex. */
import { fromHex, toHex } from '../../src/bytes.js';
import type { Transport } from '../../src/transport/transport.js';

/** `[expected command hex, response hex or an error to reject with]`. */
export type Step = readonly [command: string, response: string | Error];

const norm = (hex: string): string => hex.replace(/\s/g, '').toLowerCase();

export class ScriptTransport implements Transport {
  /** Every command received, as lower-case hex. */
  readonly sent: string[] = [];
  /** Mismatches seen (a mismatch also rejects the transmit). */
  readonly problems: string[] = [];
  readonly extendedLength?: boolean;
  readonly maxResponseLength?: number;
  readonly #steps: Step[];

  constructor(steps: readonly Step[], hints: { extendedLength?: boolean; maxResponseLength?: number } = {}) {
    this.#steps = [...steps];
    if (hints.extendedLength !== undefined) this.extendedLength = hints.extendedLength;
    if (hints.maxResponseLength !== undefined) this.maxResponseLength = hints.maxResponseLength;
  }

  get left(): number {
    return this.#steps.length;
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const got = toHex(command);
    this.sent.push(got);
    const step = this.#steps.shift();
    if (!step) {
      this.problems.push(`unexpected ${got}`);
      throw new Error(`script exhausted at ${got}`);
    }
    if (norm(step[0]) !== got) {
      this.problems.push(`expected ${norm(step[0])} got ${got}`);
      throw new Error('script mismatch');
    }
    await Promise.resolve();
    if (step[1] instanceof Error) throw step[1];
    return fromHex(step[1]);
  }
}
