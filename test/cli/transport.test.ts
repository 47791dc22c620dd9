/**
 * Reader selection of the CLI over `mynacard/pcsc`, with that module replaced by a stand-in
 * whose readers and card are the virtual card (the real PC/SC path is covered by the
 * integration tests through pcscd).
 */
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { PcscServiceError, TimeoutError } from '../../src/errors.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { readerMatches } from '../../src/cli/transport.js';
import { runWith } from './helpers.js';

interface FakeReader {
  name: string;
  cardPresent: boolean;
}

const state = vi.hoisted(() => ({
  readers: [] as FakeReader[],
  serviceDown: false,
  connected: [] as string[],
  waited: 0,
  insertOnWait: undefined as string | undefined,
  card: undefined as unknown,
}));

vi.mock('../../src/pcsc/index.js', () => ({
  listReaders: async () => {
    if (state.serviceDown) throw new PcscServiceError('The PC/SC service is not available (NoService). Install and start pcscd');
    return state.readers.map((r) => ({ ...r, mute: false, inUse: false, exclusive: false }));
  },
  connect: async (reader: string) => {
    state.connected.push(reader);
    const card = state.card as VirtualMyNumberCard;
    return { reader, transmit: (c: Uint8Array) => card.transmit(c), close: async () => undefined };
  },
  waitForCard: async (options: { reader: (name: string) => boolean; timeoutMs: number }) => {
    state.waited++;
    const name = state.insertOnWait;
    if (name === undefined || !options.reader(name)) throw new TimeoutError(`No card within ${options.timeoutMs} ms`);
    const card = state.card as VirtualMyNumberCard;
    return { reader: name, transmit: (c: Uint8Array) => card.transmit(c), close: async () => undefined };
  },
}));

beforeEach(async () => {
  state.readers = [];
  state.serviceDown = false;
  state.connected = [];
  state.waited = 0;
  state.insertOnWait = undefined;
  state.card ??= await VirtualMyNumberCard.create();
});

describe('reader names in human output', () => {
  test('a reader name with control characters prints escaped (readers, info)', async () => {
    state.readers = [{ name: 'Evil\u001b]0;t\u0007\u001b[2J\nReader 00 00', cardPresent: true }];
    const readers = await runWith(['readers']);
    expect(readers.code).toBe(0);
    expect(readers.stdout).toBe('Evil\\x1B]0;t\\x07\\x1B[2J\\x0AReader 00 00\t(card present)\n');
    const json = await runWith(['--json', 'readers']);
    expect(JSON.parse(json.stdout).result.readers[0].name).toBe(state.readers[0]!.name);
  });
});

describe('reader selection', () => {
  test('the first reader with a card; --reader by exact name or a case-insensitive part', async () => {
    state.readers = [
      { name: 'SONY FeliCa Port/PaSoRi 4.0 00 00', cardPresent: false },
      { name: 'Identiv uTrust 2700 R 01 00', cardPresent: true },
      { name: 'ACS ACR39U 02 00', cardPresent: true },
    ];
    expect((await runWith(['pin', 'status'])).code).toBe(0);
    expect((await runWith(['--reader', 'acr39u', 'pin', 'status'])).code).toBe(0);
    expect(state.connected).toEqual(['Identiv uTrust 2700 R 01 00', 'ACS ACR39U 02 00']);
    const readers = await runWith(['readers']);
    expect(readers.stdout).toBe(
      'SONY FeliCa Port/PaSoRi 4.0 00 00\t(no card)\nIdentiv uTrust 2700 R 01 00\t(card present)\nACS ACR39U 02 00\t(card present)\n',
    );
  });

  test('no reader → exit 3; unknown reader → exit 3; PC/SC service down → exit 3 with the hint', async () => {
    const none = await runWith(['info']);
    expect(none.code).toBe(3);
    expect(none.stderr).toBe('Error: No smart-card reader is available.\n');
    state.readers = [{ name: 'ACS ACR39U 00 00', cardPresent: true }];
    const unknown = await runWith(['--reader', 'PaSoRi', 'info']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe('Error: No reader named "PaSoRi".\n');
    state.serviceDown = true;
    const down = await runWith(['--lang', 'ja', 'info']);
    expect(down.code).toBe(3);
    expect(down.stderr).toBe(
      'エラー: カードリーダーを使うためのサービス（PC/SC）が動いていません。パソコンの管理者に連絡してください（Windows は「Smart Card」サービス、Linux は pcscd）。\n',
    );
    const readers = await runWith(['--json', 'readers']);
    expect(readers.code).toBe(3);
    expect(JSON.parse(readers.stdout).error.code).toBe('pcsc-service');
  });

  test('no card: exit 4 at once when not interactive; on a terminal, waits for one', async () => {
    state.readers = [{ name: 'ACS ACR39U 00 00', cardPresent: false }];
    const piped = await runWith(['info']);
    expect(piped.code).toBe(4);
    expect(piped.stderr).toBe('Error: No card in the reader.\n');
    expect(state.waited).toBe(0);
    const timedOut = await runWith(['info'], { stderrTty: true });
    expect(timedOut.code).toBe(4);
    expect(state.waited).toBe(1);
    state.insertOnWait = 'ACS ACR39U 00 00';
    const inserted = await runWith(['--json', 'info'], { stderrTty: true });
    expect(inserted.code).toBe(0);
    expect(JSON.parse(inserted.stdout).result.reader).toBe('ACS ACR39U 00 00');
  });

  test('readerMatches', () => {
    expect(readerMatches('ACS ACR39U 00 00', 'ACS ACR39U 00 00')).toBe(true);
    expect(readerMatches('ACS ACR39U 00 00', 'acr39')).toBe(true);
    expect(readerMatches('ACS ACR39U 00 00', 'PaSoRi')).toBe(false);
  });
});
