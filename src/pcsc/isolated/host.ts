/**
 * The PC/SC host process: the only place where `mynacard/pcsc` loads pcsc-mini's native addon
 * when the context runs isolated (the default). The SDK starts one host per reader monitor
 * (`isolated-module.ts`) and ends it with SIGKILL instead of calling pcsc-mini's
 * `Client.stop()`, for two faults of pcsc-mini 0.1.3 over pcsc-lite:
 * - `Client.stop()` runs SCardCancel then SCardReleaseContext on the JS thread; when the cancel
 *   lands while the monitor thread is between two waits (after any reader event, or at
 *   pcsc-lite's 60-second re-registration), it is lost, and SCardReleaseContext then waits for
 *   the monitor's context lock for good: the whole JS thread hangs (seen in the integration runs).
 * - the finalizer of a client whose context died with pcscd throws from the garbage collector.
 * Killing the process sidesteps both; the kernel closes its sockets and pcscd releases its
 * contexts, cards and transactions. The host never logs APDUs and wipes every PIN-bearing
 * command it received once it is sent.
 *
 * Run by the SDK only (`node host.js`, IPC channel required); the pcsc-mini module it loads can
 * be replaced for tests with the environment variable `MYNACARD_PCSC_HOST_MODULE`.
 * @packageDocumentation
 */
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { isSecretCommand } from '../../apdu/trace.js';
import { loadFailure, pickModule, type PcscMiniCard, type PcscMiniClient, type PcscMiniModule, type PcscMiniReader, type PcscMiniTransaction } from '../pcsc-mini.js';
import { toWireError, type HostEvent, type HostReply, type HostRequest } from './protocol.js';

/** 65 536 data bytes + SW1 SW2 (ISO/IEC 7816-4 extended Le). */
const RECEIVE_BUFFER_LENGTH = 65_538;

const send = (message: HostReply | HostEvent): void => {
  process.send?.(message);
};

// The SDK's process went away: end at once, without finalizers or stop() (see above).
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));

async function loadModule(): Promise<PcscMiniModule> {
  const override = process.env['MYNACARD_PCSC_HOST_MODULE'];
  let ns: unknown;
  try {
    ns = override ? await import(pathToFileURL(override).href) : await import('pcsc-mini');
  } catch (cause) {
    throw loadFailure(cause); // a PcscServiceError that says what to install
  }
  return pickModule(ns);
}

const readers = new Map<number, PcscMiniReader>();
const readerIds = new Map<PcscMiniReader, number>();
const cards = new Map<number, PcscMiniCard>();
const transactions = new Map<number, PcscMiniTransaction>();
let nextId = 1;
/** Held for the life of the host: it is never stopped and never collected (the process is killed). */
let client: PcscMiniClient | undefined;
const buffer = new ArrayBuffer(RECEIVE_BUFFER_LENGTH);

function track(reader: PcscMiniReader): void {
  const id = nextId++;
  readers.set(id, reader);
  readerIds.set(reader, id);
  send({ event: 'reader', reader: id, name: reader.name() });
  reader.on('change', (status, atr) => {
    const raw = typeof status === 'number' ? status : status.raw;
    send({ event: 'change', reader: id, raw, atr: atr.slice() });
  });
  reader.on('disconnect', () => {
    readers.delete(id);
    readerIds.delete(reader);
    send({ event: 'reader-gone', reader: id });
  });
}

function need<T>(map: Map<number, T>, id: number, what: string): T {
  const found = map.get(id);
  if (found === undefined) throw Object.assign(new Error(`Unknown ${what} ${id}`), { code: 'InvalidHandle' });
  return found;
}

async function handle(request: HostRequest): Promise<unknown> {
  switch (request.op) {
    case 'start': {
      const pcsc = await loadModule();
      client = new pcsc.Client();
      client.on('reader', track);
      client.on('error', (error) => send({ event: 'error', error: toWireError(error) }));
      client.start();
      return undefined;
    }
    case 'connect': {
      const card = await need(readers, request.reader, 'reader').connect(request.mode, request.protocol);
      const id = nextId++;
      cards.set(id, card);
      return { card: id, protocol: card.protocol() };
    }
    case 'transmit': {
      try {
        const response = await need(cards, request.card, 'card').transmit(request.data, buffer);
        return response.slice();
      } finally {
        if (isSecretCommand(request.data)) request.data.fill(0);
      }
    }
    case 'state': {
      const state = await need(cards, request.card, 'card').state();
      const raw = typeof state.status === 'number' ? state.status : state.status.raw;
      return { atr: state.atr.slice(), protocol: state.protocol, readerName: state.readerName, raw };
    }
    case 'begin': {
      const transaction = await need(cards, request.card, 'card').transaction();
      const id = nextId++;
      transactions.set(id, transaction);
      return id;
    }
    case 'end': {
      const transaction = need(transactions, request.transaction, 'transaction');
      transactions.delete(request.transaction);
      await transaction.end(request.disposition);
      return undefined;
    }
    case 'reconnect':
      return need(cards, request.card, 'card').reconnect(request.mode, request.disposition);
    case 'disconnect': {
      const card = need(cards, request.card, 'card');
      cards.delete(request.card);
      await card.disconnect(request.disposition);
      return undefined;
    }
  }
}

process.on('message', (message: HostRequest) => {
  handle(message).then(
    (value) => send({ id: message.id, ok: true, value }),
    (error: unknown) => send({ id: message.id, ok: false, error: toWireError(error) }),
  );
});
