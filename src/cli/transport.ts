/**
 * How the CLI (and the examples) reach a card: `--simulator` → the embedded virtual My Number
 * Card; otherwise PC/SC through `mynacard/pcsc`, loaded on demand so that a missing pcsc-mini
 * or pcscd gives a clear message (exit 3) instead of a crash.
 * @packageDocumentation
 */
import { TimeoutError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import { CliError, EXIT } from './exit-codes.js';
import type { Messages } from './i18n.js';
import type { CliIo } from './io.js';

/** How long an interactive session waits for a card to be inserted. */
const INSERT_WAIT_MS = 30_000;

/** A transport the CLI opened, with what it is. */
export interface OpenedTransport {
  /** The transport to hand to `MyNumberCard.connect`. */
  readonly transport: Transport;
  /** Reader name, or the simulator's label. */
  readonly reader: string;
  /** Whether this is the embedded virtual card (its certificates chain to TEST roots). */
  readonly simulated: boolean;
  /** Release the reader. */
  close(): Promise<void>;
}

/** Options of {@link openTransport}. */
export interface OpenTransportOptions {
  /** Use the embedded virtual card. */
  readonly simulator: boolean;
  /** Reader name (exact, or a case-insensitive part of it). */
  readonly reader?: string | undefined;
}

/** Whether reader `name` matches what the user asked for (exact, or a case-insensitive part). */
export function readerMatches(name: string, wanted: string): boolean {
  return name === wanted || name.toLowerCase().includes(wanted.toLowerCase());
}

/** The `mynacard/pcsc` module, loaded on first use. */
export async function loadPcsc(): Promise<typeof import('../pcsc/index.js')> {
  return import('../pcsc/index.js');
}

/**
 * Open the card the command line names.
 *
 * @throws CliError exit 3 when there is no reader (or none with that name), exit 4 when no
 *   card is in it; `PcscServiceError` (exit 3) when pcsc-mini or the PC/SC service is missing
 */
export async function openTransport(io: CliIo, msg: Messages, options: OpenTransportOptions): Promise<OpenedTransport> {
  if (options.simulator) {
    // Loaded on demand: the virtual card and its test PKI are not needed for a real reader.
    const transport =
      io.simulator !== undefined ? await io.simulator() : await (await import('../testing/index.js')).VirtualMyNumberCard.create();
    return {
      transport,
      reader: msg.simulatorReader,
      simulated: true,
      close: async () => {
        await transport.close?.();
      },
    };
  }
  const pcsc = await loadPcsc();
  const readers = await pcsc.listReaders();
  if (readers.length === 0) throw new CliError('no-reader', EXIT.noReader, msg.noReader);
  const wanted = options.reader;
  const matching = wanted === undefined ? readers : readers.filter((r) => readerMatches(r.name, wanted));
  if (matching.length === 0) throw new CliError('no-such-reader', EXIT.noReader, msg.noSuchReader(wanted ?? ''));
  const withCard = matching.find((r) => r.cardPresent);
  let transport: Awaited<ReturnType<typeof pcsc.connect>>;
  if (withCard !== undefined) {
    transport = await pcsc.connect(withCard.name);
  } else {
    if (io.stderr.isTTY !== true) throw new CliError('no-card', EXIT.noCard, msg.noCard);
    try {
      transport = await pcsc.waitForCard({
        reader: (name: string) => wanted === undefined || readerMatches(name, wanted),
        timeoutMs: INSERT_WAIT_MS,
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      });
    } catch (error) {
      if (error instanceof TimeoutError) throw new CliError('no-card', EXIT.noCard, msg.noCard, { cause: error });
      throw error;
    }
  }
  return {
    transport,
    reader: transport.reader,
    simulated: false,
    close: () => transport.close(),
  };
}
