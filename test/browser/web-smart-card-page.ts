/**
 * The page side of the Web Smart Card browser test: the SDK (`mynacard` and
 * `mynacard/web-smart-card`, bundled for the browser from the sources) with nothing of the test
 * double in it. It uses `navigator.smartCard` as an Isolated Web App would; the fake is injected
 * there by another script (web-smart-card-fake.ts). `globalThis.mynacardWebSmartCard()` runs the
 * flows and returns plain JSON.
 */
import { MyNumberCard } from '../../src/index.js';
import { toHex } from '../../src/apdu/index.js';
import { listReaders, waitForCard, watchReaders, type ReaderEvent } from '../../src/web-smart-card/index.js';
import type { FakeHooks } from './web-smart-card-fake.js';

/** What the page reports back. */
export interface WebSmartCardPageResult {
  /** `typeof Buffer` and `typeof process` in the page. */
  readonly globals: { readonly buffer: string; readonly process: string };
  /** `typeof navigator.smartCard` of the page before the fake was injected. */
  readonly nativeSmartCard: string;
  /** `listReaders()` before the injection: the error's name and code. */
  readonly unavailable: { readonly name: string; readonly code: string };
  /** `connect` with the permission denied: the error's name and code. */
  readonly denied: { readonly name: string; readonly code: string };
  /** Reader events seen while waiting for the card. */
  readonly events: readonly { readonly type: string; readonly reader: string; readonly atr?: string }[];
  readonly reader: string;
  readonly protocol: string;
  readonly atr: string;
  /** The 利用者証明用電子証明書 as read, lower-case hex. */
  readonly certificateHex: string;
  /** The 基本4情報 read with the text PIN. */
  readonly attributes: {
    readonly name: string;
    readonly address: string;
    readonly birthDate: string;
    readonly sex: { readonly value: string; readonly code: string };
  };
  readonly commands: readonly string[];
  readonly dispositions: readonly string[];
  /** Connections left open after `card.close()`. */
  readonly connectionsAfterClose: number;
}

const errorShape = (error: unknown): { name: string; code: string } => ({
  name: (error as Error).name,
  code: String((error as { code?: unknown }).code),
});

async function run(): Promise<WebSmartCardPageResult> {
  const fake = (globalThis as { mynacardFake?: FakeHooks }).mynacardFake;
  const inject = (globalThis as { mynacardInjectFake?: () => void }).mynacardInjectFake;
  if (fake === undefined || inject === undefined) throw new Error('the fake did not load');
  const unavailable = errorShape(await listReaders().then(() => ({}), (e: unknown) => e));
  inject();

  // Readers and cards come after the page started waiting.
  const controller = new AbortController();
  const watcher = watchReaders({ signal: controller.signal, readAtr: true });
  const events: ReaderEvent[] = [];
  const watching = (async () => {
    for await (const event of watcher) events.push(event);
  })();
  const waiting = waitForCard({ timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  fake.addReader();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await fake.insertCard();

  const transport = await waiting;
  const card = await MyNumberCard.connect(transport, { closeTransport: true });
  let certificateHex: string;
  let attributes: WebSmartCardPageResult['attributes'];
  try {
    certificateHex = toHex(await card.jpki.readCertificate('auth'));
    const { name, address, birthDate, sex } = await card.text.readAttributes({ pin: '5678' });
    attributes = { name, address, birthDate, sex: { value: sex.value, code: sex.code } };
  } finally {
    await card.close();
  }
  controller.abort();
  await watching;

  fake.setPermission('denied');
  const denied = errorShape(await waitForCard({ timeoutMs: 2000 }).then(() => ({}), (e: unknown) => e));

  return {
    globals: {
      buffer: typeof (globalThis as { Buffer?: unknown }).Buffer,
      process: typeof (globalThis as { process?: unknown }).process,
    },
    nativeSmartCard: fake.nativeSmartCard,
    unavailable,
    denied,
    events: events.map((e) => (e.atr === undefined ? { type: e.type, reader: e.reader } : { type: e.type, reader: e.reader, atr: toHex(e.atr) })),
    reader: transport.reader,
    protocol: transport.protocol,
    atr: toHex(transport.atr),
    certificateHex,
    attributes,
    commands: fake.commands(),
    dispositions: fake.dispositions(),
    connectionsAfterClose: fake.connections(),
  };
}

(globalThis as { mynacardWebSmartCard?: () => Promise<WebSmartCardPageResult> }).mynacardWebSmartCard = run;
