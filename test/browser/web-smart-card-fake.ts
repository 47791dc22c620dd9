/**
 * The fake side of the Web Smart Card browser test, bundled on its own (the test double, not
 * the SDK under test): a virtual card and `FakeSmartCard` from `mynacard/testing`, injected as
 * `navigator.smartCard`, with hooks the page's test calls (`mynacardFake`).
 */
import { toHex } from '../../src/bytes.js';
import { FakeSmartCard, VirtualMyNumberCard } from '../../src/testing/index.js';

/** What the page's test may do to the fake. */
export interface FakeHooks {
  /** `typeof navigator.smartCard` before the injection. */
  readonly nativeSmartCard: string;
  /** Plug in the reader (empty). */
  addReader(): void;
  /** Put the virtual card into the reader. */
  insertCard(): Promise<void>;
  /** Grant or deny the permission `connect` meets. */
  setPermission(permission: 'granted' | 'denied'): void;
  /** Commands the card received, upper-case hex (VERIFY data cut by the card's log). */
  commands(): string[];
  /** Dispositions of the transactions that ended. */
  dispositions(): string[];
  /** Connections open on the reader. */
  connections(): number;
}

export const READER = 'Virtual Reader 00 00';

const smartCard = new FakeSmartCard();
let card: VirtualMyNumberCard | undefined;
const nativeSmartCard = typeof (navigator as { smartCard?: unknown }).smartCard;

const hooks: FakeHooks = {
  nativeSmartCard,
  addReader: () => smartCard.addReader(READER),
  insertCard: async () => {
    card = await VirtualMyNumberCard.create();
    smartCard.insertCard(READER, card);
  },
  setPermission: (permission) => {
    smartCard.permission = permission;
  },
  commands: () => (card?.log ?? []).map((entry) => toHex(entry.command).toUpperCase()),
  dispositions: () => smartCard.transactions.map((t) => t.disposition),
  connections: () => smartCard.connections(READER),
};

(globalThis as { mynacardFake?: FakeHooks }).mynacardFake = hooks;
/** Injected after the page had its chance to look: the SDK finds it as `navigator.smartCard`. */
(globalThis as { mynacardInjectFake?: () => void }).mynacardInjectFake = () => {
  Object.defineProperty(navigator, 'smartCard', { value: smartCard, configurable: true });
};
