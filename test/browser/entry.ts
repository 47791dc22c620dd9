/**
 * The page side of the browser smoke test: bundled by esbuild (IIFE) from the SDK sources and
 * loaded into headless Chromium. `globalThis.mynacardSmoke()` runs the flow and returns plain
 * JSON for the test to assert on.
 */
import { toHex } from '../../src/apdu/index.js';
import { MyNumberCard, verifyJpkiChain } from '../../src/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';

/** What the page reports back. */
export interface SmokeResult {
  /** `typeof Buffer` and `typeof process` in the page (both `'undefined'` in a browser). */
  readonly globals: { readonly buffer: string; readonly process: string };
  /** The profile read from the token at connect. */
  readonly profile: string;
  /** Whether the session used extended-length APDUs. */
  readonly extendedLength: boolean | undefined;
  /** The 利用者証明用電子証明書 as read, lower-case hex. */
  readonly certificateHex: string;
  /** `verifyJpkiChain` at 2026-11-27 against the card's test auth root. */
  readonly chain: {
    readonly valid: boolean;
    readonly reasons: readonly string[];
    readonly kind: string | undefined;
    readonly rootSerial: string | undefined;
  };
  /** The 基本4情報 read with the text PIN. */
  readonly attributes: {
    readonly name: string;
    readonly address: string;
    readonly birthDate: string;
    readonly sex: { readonly value: string; readonly code: string };
  };
  /** The commands the virtual card received, hex (VERIFY data already cut by the card's log). */
  readonly commands: readonly string[];
}

async function runSmoke(): Promise<SmokeResult> {
  const vc = await VirtualMyNumberCard.create();
  const card = await MyNumberCard.connect(vc);
  try {
    const der = await card.jpki.readCertificate('auth');
    const chain = await verifyJpkiChain(der, { at: new Date('2026-11-27'), roots: [vc.roots.auth] });
    const { name, address, birthDate, sex } = await card.text.readAttributes({ pin: '5678' });
    return {
      globals: {
        buffer: typeof (globalThis as { Buffer?: unknown }).Buffer,
        process: typeof (globalThis as { process?: unknown }).process,
      },
      profile: card.profile,
      extendedLength: card.extendedLength,
      certificateHex: toHex(der),
      chain: {
        valid: chain.valid,
        reasons: [...chain.reasons],
        kind: chain.certificate?.kind,
        rootSerial: chain.root?.serialNumber,
      },
      attributes: { name, address, birthDate, sex: { value: sex.value, code: sex.code } },
      commands: vc.log.map((entry) => toHex(entry.command).toUpperCase()),
    };
  } finally {
    await card.close();
  }
}

(globalThis as { mynacardSmoke?: () => Promise<SmokeResult> }).mynacardSmoke = runSmoke;
