/**
 * APDU economy of the card sessions: APDUs and bytes on the wire per operation, measured on the
 * virtual card, next to what OpenSC and jpki/myna send for the same operation.
 *
 * Counting: every row but the first starts from a fresh `MyNumberCard.connect` (the JPKI AP
 * selected, the token read: 2 APDUs, the first row) and counts the operation's APDUs, including the
 * SELECT of another AP and the re-SELECT that drops the security status. "to data" counts up
 * to the APDU that returns the data (i.e. without the security drop).
 * @packageDocumentation
 */
import { MyNumberCard } from '../src/aps/card.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../src/testing/index.js';
import type { Transport } from '../src/transport/transport.js';
import { formatTable, type BenchOutcome } from './harness.js';

/**
 * What OpenSC 0.23 sends, after the JPKI AP is selected. Source: docs/opensc-jpki-apdus.md §3
 * (observed through pcscd) and card-facts §4.1 [OSC-drv]: SELECT EF, a 4-byte READ BINARY for
 * the size, then 256-byte chunks from offset 0; PIN status = SELECT PIN EF + empty VERIFY;
 * signature = SELECT PIN EF, VERIFY, SELECT key EF, `80 2A`. OpenSC has no 券面事項入力補助AP /
 * 券面事項確認AP support.
 */
export const OPENSC = {
  /** SELECT AP when the ATR is not in its one-entry table (0 APDUs when it is). */
  connect: 1,
  readFile: (length: number): number => 1 + 1 + Math.ceil(length / 256),
  remainingTries: 2,
  sign: 4,
  readSignCertificate: (length: number): number => 2 + 1 + 1 + Math.ceil(length / 256),
} as const;

/**
 * What jpki/myna sends. Source: card-facts §4.1 [MYNA, JRS]: a 7-byte READ BINARY at offset 0,
 * the BER length, then the rest from offset 7 in 256-byte chunks (exact remainder last);
 * card-facts §5 [C]: SELECT PIN EF → VERIFY → SELECT data EF → READ (no retry query before
 * VERIFY); fixed 17-byte read of the 個人番号 (card-facts §4.1 [MYNA-Go]). Derived counts.
 */
export const JPKI_MYNA = {
  /** SELECT AP, SELECT EF 0006, READ 0x20 (card-facts §1.4, §3.1 "readers read 0x20 bytes"). */
  connect: 3,
  readFile: (length: number): number => 1 + 1 + Math.ceil((length - 7) / 256),
  remainingTries: 2,
  sign: 4,
  /** SELECT PIN EF, VERIFY, then readFile. */
  readProtected: (length: number): number => 2 + JPKI_MYNA.readFile(length),
  /** SELECT AP, SELECT PIN EF, VERIFY, SELECT EF 0001, READ 17. */
  readMyNumber: 5,
} as const;

/** A transport that counts APDUs and bytes. */
class CountingTransport implements Transport {
  apdus = 0;
  bytes = 0;
  readonly #inner: VirtualMyNumberCard;
  declare readonly extendedLength?: boolean;

  constructor(inner: VirtualMyNumberCard) {
    this.#inner = inner;
    if (inner.extendedLength !== undefined) Object.defineProperty(this, 'extendedLength', { value: inner.extendedLength });
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const response = await this.#inner.transmit(command);
    this.apdus++;
    this.bytes += command.length + response.length;
    return response;
  }

  reset(): void {
    this.apdus = 0;
    this.bytes = 0;
  }
}

/** One measured row. */
export interface ApduEconomyRow {
  readonly operation: string;
  readonly mode: string;
  /** APDUs of the operation after connect (connect itself = 2). */
  readonly apdus: number;
  /** APDUs up to the one that returns the data (without the security drop). */
  readonly toData: number;
  /** Command + response bytes of the operation. */
  readonly bytes: number;
  readonly opensc: number | undefined;
  readonly jpkiMyna: number | undefined;
  /** The target, as an upper bound on `apdus` + `connect` or on `toData`. */
  readonly target: string;
  readonly passed: boolean;
}

const MODES: Readonly<Record<string, VirtualCardOptions>> = {
  extended: {},
  'short (advertised)': { quirks: { extendedLength: false }, advertiseExtendedLength: true },
  'short (detected)': { quirks: { extendedLength: false } },
};

async function measureOne(
  mode: string,
  run: (card: MyNumberCard, vc: VirtualMyNumberCard) => Promise<unknown>,
  dropsSecurity: boolean,
): Promise<{ apdus: number; toData: number; bytes: number; vc: VirtualMyNumberCard }> {
  const vc = await VirtualMyNumberCard.create(MODES[mode]);
  const transport = new CountingTransport(vc);
  const card = await MyNumberCard.connect(transport);
  transport.reset();
  await run(card, vc);
  const { apdus, bytes } = transport;
  await card.close();
  return { apdus, bytes, toData: apdus - (dropsSecurity ? 1 : 0), vc };
}

/** Measure every operation in every mode. */
export async function measureApduEconomy(): Promise<ApduEconomyRow[]> {
  const rows: ApduEconomyRow[] = [];
  const probe = await VirtualMyNumberCard.create();
  const authLength = probe.certificates.auth.length;
  const signLength = probe.certificates.sign.length;
  const myNumber = probe.holder.myNumber;
  const CONNECT = 2;

  const connect = await VirtualMyNumberCard.create();
  const counting = new CountingTransport(connect);
  await (await MyNumberCard.connect(counting)).close();
  rows.push({
    operation: 'connect (detect the card and its profile)',
    mode: 'any',
    apdus: counting.apdus,
    toData: counting.apdus,
    bytes: counting.bytes,
    opensc: OPENSC.connect,
    jpkiMyna: JPKI_MYNA.connect,
    target: '—',
    passed: true,
  });

  for (const mode of Object.keys(MODES)) {
    const auth = await measureOne(mode, (card) => card.jpki.readCertificate('auth'), false);
    const chunks = Math.ceil(authLength / 256);
    const authBound = mode === 'extended' ? 3 : CONNECT + chunks + 1;
    rows.push({
      operation: `auth certificate (${authLength} B)`,
      mode,
      ...auth,
      opensc: OPENSC.readFile(authLength),
      jpkiMyna: JPKI_MYNA.readFile(authLength),
      target: `≤ ${authBound} incl. connect`,
      passed: auth.apdus + CONNECT <= authBound,
    });
    const sign = await measureOne(mode, (card) => card.jpki.readCertificate('sign', { pin: 'ABC123' }), true);
    rows.push({
      operation: `sign certificate (${signLength} B, password)`,
      mode,
      ...sign,
      opensc: OPENSC.readSignCertificate(signLength),
      jpkiMyna: JPKI_MYNA.readProtected(signLength),
      target: '—',
      passed: true,
    });
  }

  const tries = await measureOne('extended', (card) => card.jpki.remainingTries('auth'), false);
  rows.push({
    operation: 'remainingTries (JPKI AP current)',
    mode: 'any',
    ...tries,
    opensc: OPENSC.remainingTries,
    jpkiMyna: JPKI_MYNA.remainingTries,
    target: '1–2',
    passed: tries.apdus >= 1 && tries.apdus <= 2,
  });
  const triesOther = await measureOne(
    'extended',
    async (card) => {
      await card.text.remainingTries();
      return card.jpki.remainingTries('auth');
    },
    false,
  );
  rows.push({
    operation: 'text + JPKI remainingTries (AP switch each)',
    mode: 'any',
    ...triesOther,
    opensc: undefined,
    // Each: SELECT AP, then SELECT PIN EF + empty VERIFY.
    jpkiMyna: 2 * (1 + JPKI_MYNA.remainingTries),
    target: '1–2 each',
    passed: triesOther.apdus <= 4,
  });
  const signature = await measureOne('extended', (card) => card.jpki.sign('auth', new Uint8Array(32), { pin: '1234' }), true);
  rows.push({
    operation: 'sign with the auth key',
    mode: 'any',
    ...signature,
    opensc: OPENSC.sign,
    jpkiMyna: JPKI_MYNA.sign,
    target: '—',
    passed: true,
  });

  for (const mode of ['extended', 'short (advertised)']) {
    const mn = await measureOne(mode, (card) => card.text.readMyNumber({ pin: '5678' }), true);
    rows.push({
      operation: '個人番号 (text AP)',
      mode,
      ...mn,
      opensc: undefined,
      jpkiMyna: JPKI_MYNA.readMyNumber,
      target: '—',
      passed: true,
    });
    let attributesLength = 0;
    const attrs = await measureOne(
      mode,
      async (card) => {
        attributesLength = (await card.text.readAttributes({ pin: '5678' })).raw.length;
      },
      true,
    );
    rows.push({
      operation: `基本4情報 (text AP, ${attributesLength} B)`,
      mode,
      ...attrs,
      opensc: undefined,
      jpkiMyna: 1 + JPKI_MYNA.readProtected(attributesLength),
      target: '≤ 4 to data',
      passed: attrs.toData <= 4,
    });
    let faceLength = 0;
    const face = await measureOne(
      mode,
      async (card) => {
        faceLength = (await card.face.readFace({ verificationA: myNumber })).raw.length;
      },
      true,
    );
    rows.push({
      operation: `card face (face AP, ${faceLength} B)`,
      mode,
      ...face,
      opensc: undefined,
      jpkiMyna: 1 + JPKI_MYNA.readProtected(faceLength),
      target: '—',
      passed: true,
    });
  }
  const common = await measureOne('extended', (card) => card.common.readCardIdentifier(), false);
  rows.push({
    operation: 'card identifier (common AP)',
    mode: 'any',
    ...common,
    opensc: undefined,
    jpkiMyna: undefined,
    target: '—',
    passed: true,
  });
  return rows;
}

/** Print the table; `passed` when every APDU target of the card-session issue is met. */
export async function runApduEconomyBench(): Promise<BenchOutcome> {
  const rows = await measureApduEconomy();
  const n = (v: number | undefined): string => (v === undefined ? 'n/a' : String(v));
  console.log(
    formatTable(
      ['operation', 'mode', 'APDUs', 'to data', 'bytes', 'target', 'met', 'OpenSC', 'jpki/myna'],
      rows.map((r) => [
        r.operation,
        r.mode,
        String(r.apdus),
        String(r.toData),
        String(r.bytes),
        r.target,
        r.passed ? 'yes' : 'NO',
        n(r.opensc),
        n(r.jpkiMyna),
      ]),
    ),
  );
  console.log(
    '\nAll counts start after connect (2 APDUs: SELECT JPKI AP, READ token label). mynacard counts include the\n' +
      'retry query before each VERIFY and the re-SELECT that drops the security status ("to data" excludes the drop).\n' +
      'OpenSC: docs/opensc-jpki-apdus.md §3. jpki/myna: card-facts §4.1/§5 (7-byte header read, then\n' +
      '256-byte chunks; SELECT PIN EF → VERIFY → SELECT EF → READ), derived counts. n/a: not supported / not documented.',
  );
  return { name: 'apdu-economy', passed: rows.every((r) => r.passed) };
}
